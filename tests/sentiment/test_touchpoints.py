from __future__ import annotations

from sentiment.records import TouchpointTag
from sentiment.touchpoints import TouchpointTagger


def tags(text: str, brand: str | None = None, tagger: TouchpointTagger | None = None) -> dict:
    found = (tagger or TouchpointTagger()).tag(text, brand, "neutral")
    return {t.tag: t.polarity for t in found}


def test_inflected_forms_match() -> None:
    assert "staff" in tags("Спасибо официантам за вечер")
    assert "staff" in tags("Официантку звали Аня")
    assert "delivery" in tags("Курьером был доволен")
    assert "price" in tags("По ценам вопросов нет")
    assert "support" in tags("Так и не смог дозвониться до них")
    assert "digital" in tags("Приложением пользоваться невозможно")


def test_running_costs_count_as_price() -> None:
    assert "price" in tags("Машина экономичная, расход бензина 7 литров")
    assert "price" in tags("Отдали пять тысяч рублей за ужин")
    # "дорога" (road) shares its stem with "дорогая": a road is no price
    assert "price" not in tags("На трассе дорогу держит уверенно")


def test_each_touchpoint_gets_its_clause_polarity() -> None:
    found = tags("Еда очень вкусная, но официант нахамил и ждали час.")
    assert found["product"] == "positive"
    assert found["staff"] == "negative"
    assert found["waiting"] == "negative"


def test_a_touchpoint_takes_the_tone_most_of_its_clauses_have() -> None:
    mostly_praise = "Еда вкусная. Блюда отличные, всё свежее. Но одно блюдо было холодное."
    assert tags(mostly_praise)["product"] == "positive"
    # Praise and complaint in equal measure: the complaint wins, it is what the owner fixes.
    assert tags("Еда вкусная. Но блюдо было холодное и невкусное.")["product"] == "negative"


def test_the_whole_reviews_tone_breaks_a_tie_between_clauses() -> None:
    text = "Еда вкусная. Но блюдо было холодное и невкусное."
    tagger = TouchpointTagger()
    for overall in ("positive", "negative"):
        found = tagger.tag(text, None, overall)
        assert {t.tag: t.polarity for t in found}["product"] == overall


def test_english_touchpoints() -> None:
    found = tags("The waiter was rude. The food was delicious!")
    assert found == {"staff": "negative", "product": "positive"}


def test_negation_flips_polarity() -> None:
    assert tags("Персонал не вежливый")["staff"] == "negative"


def test_brand_extension_applies_to_that_brand_only() -> None:
    tagger = TouchpointTagger({"Кофемания": {"product": ["капучино"], "loyalty": ["бонусы"]}})
    assert tags("Капучино ужасный, бонусы не начислили", "Кофемания", tagger) == {
        "product": "negative",
        "loyalty": "negative",
    }
    assert tags("Капучино ужасный", "Другой бренд", tagger) == {}
    # the default dictionary still applies to the extended brand
    assert "staff" in tags("Бариста нахамил, персонал ужасный", "кофемания", tagger)


def test_text_without_touchpoints() -> None:
    assert TouchpointTagger().tag("", None, "neutral") == ()
    assert TouchpointTagger().tag("Просто текст", None, "neutral") == ()


def test_clause_scorer_decides_when_lexicon_is_silent() -> None:
    found = TouchpointTagger().tag(
        "Курьер приехал в семь", None, "neutral", lambda parts: ["positive"] * len(parts)
    )
    assert found == (TouchpointTag("delivery", "positive"),)
