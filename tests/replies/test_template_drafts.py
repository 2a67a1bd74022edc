"""Template drafts: what the customer will read."""

from __future__ import annotations

import pytest

from replies import (
    DraftRequest,
    Fallback,
    Review,
    TemplateError,
    Tone,
    Touchpoint,
    Voice,
    acknowledges,
    leftover_placeholders,
    reply_limit,
    template_draft,
    validate,
)

ANGRY = Review(
    text="Ждали заказ час, официант нагрубил, а цены выросли.",
    author="Иван Петров",
    rating=1,
    tone=Tone.NEGATIVE,
    touchpoints=(
        Touchpoint("staff", Tone.NEGATIVE),
        Touchpoint("waiting", Tone.NEGATIVE),
        Touchpoint("price", Tone.NEGATIVE),
        Touchpoint("staff", Tone.NEGATIVE),
    ),
    platform="twogis",
)
VOICE = Voice(brand="Кофемания")


def test_negative_draft_greets_apologises_acknowledges_and_signs() -> None:
    draft = template_draft(DraftRequest(ANGRY, VOICE))
    text = draft.text
    assert text.split("\n")[0] in {
        "Здравствуйте, Иван!",
        "Иван, добрый день!",
        "Иван, здравствуйте!",
        "Добрый день, Иван!",
    }
    assert draft.language == "ru" and draft.fallback is None
    assert draft.acknowledged == ("staff", "waiting", "price")
    for tag in ("staff", "waiting", "price"):
        assert acknowledges(text, tag, "ru"), tag
    assert any(word in text for word in ("простите", "Простите", "жаль", "извинения"))
    assert "«Кофемания»" in text.split("\n")[-1]
    assert not leftover_placeholders(text)


def test_praise_gets_thanks_in_english_and_no_name_for_a_nickname() -> None:
    review = Review(
        text="Great coffee and a friendly barista!",
        author="coffee_lover_92",
        rating=5,
        tone=Tone.POSITIVE,
        touchpoints=(Touchpoint("staff", Tone.POSITIVE), Touchpoint("product", Tone.POSITIVE)),
    )
    draft = template_draft(
        DraftRequest(review, Voice(brand="Coffeemania", signature="Anna, manager"))
    )
    assert draft.language == "en"
    assert draft.text.split("\n")[0] in {"Hello,", "Hi there,", "Good day!"}
    assert "thank" in draft.text.casefold() and "sorry" not in draft.text.casefold()
    assert draft.text.endswith("Anna, manager")
    assert acknowledges(draft.text, "staff", "en") and acknowledges(draft.text, "product", "en")


def test_no_two_drafts_of_a_brand_in_a_day_read_the_same() -> None:
    seen: set[str] = set()
    texts = set()
    for seed in range(200):
        draft = template_draft(DraftRequest(ANGRY, VOICE, frozenset(seen), seed=seed % 3))
        assert draft.fallback is None
        seen.add(draft.fingerprint)
        texts.add(" ".join(draft.text.casefold().split()))
    assert len(texts) == 200


def test_too_few_owner_variants_are_reported_not_hidden() -> None:
    one_each = {
        ("ru", key): ("Текст.",)
        for key in (
            "greeting.named",
            "opening.negative",
            "next_step.negative",
            "ack.staff.negative",
            "ack_all.negative",
        )
    }
    voice = Voice(brand="Кофемания", signature="Кофемания", templates=one_each)
    review = Review(
        text="Нагрубили",
        author="Иван",
        tone=Tone.NEGATIVE,
        touchpoints=(Touchpoint("staff", Tone.NEGATIVE),),
    )
    first = template_draft(DraftRequest(review, voice))
    second = template_draft(DraftRequest(review, voice, frozenset({first.fingerprint})))
    assert second.text == first.text and second.fallback is Fallback.REPEATED


def test_google_play_gets_a_short_reply_within_its_limit() -> None:
    review = Review(
        text="Приложение вылетает, поддержка молчит, доставка опоздала, цены кусаются.",
        author="Мария",
        tone=Tone.NEGATIVE,
        touchpoints=tuple(
            Touchpoint(tag, Tone.NEGATIVE)
            for tag in ("digital", "support", "delivery", "price", "staff", "product")
        ),
        platform="google_play",
    )
    draft = template_draft(DraftRequest(review, VOICE))
    assert len(draft.text) <= reply_limit("google_play") == 350
    for tag in ("digital", "support", "delivery", "price", "staff", "product"):
        assert acknowledges(draft.text, tag, "ru"), tag


def test_owner_templates_replace_the_shipped_ones() -> None:
    voice = Voice(
        brand="Кофемания",
        templates={("ru", "opening.negative"): ("Нам стыдно, {brand} так не работает.",)},
    )
    draft = template_draft(DraftRequest(ANGRY, voice))
    assert "Нам стыдно, Кофемания так не работает." in draft.text


def test_bad_owner_templates_are_refused_with_a_reason() -> None:
    with pytest.raises(TemplateError, match="unknown template key"):
        validate("ru", "greeting.formal", ("Добрый день",))
    with pytest.raises(TemplateError, match=r"unknown placeholder \{name\}"):
        validate("ru", "opening.negative", ("{name}, простите",))
    with pytest.raises(TemplateError, match="at least one"):
        validate("ru", "signature.default", ("  ",))
    assert validate("ru", "greeting.named", (" {name},  привет! ",)) == ("{name}, привет!",)
