"""Template drafts for 200 real reviews from the shared labelled sets: right language, every
criticised touchpoint acknowledged, no placeholders left, within the platform's limit, and
no two drafts alike (all for one brand on one day)."""

from __future__ import annotations

import itertools
import json

import pytest

from replies import (
    DraftRequest,
    Review,
    Tone,
    Touchpoint,
    Voice,
    acknowledges,
    leftover_placeholders,
    reply_limit,
    template_draft,
)
from sentiment.keywords import KeywordClassifier
from sentiment.records import TextInput
from tests.conftest import SHARED

DATA = SHARED / "sentiment"
# (file, how many): restaurant and bank reviews in Russian, restaurant sentences in English.
SETS = (
    ("sentirueval2015_restaurant_reviews_train.jsonl", 100),
    ("myfin_bank_reviews_train.jsonl", 50),
    ("uci_yelp_en.jsonl", 50),
)
PLATFORMS = ("twogis", "google_play", "google_business", "yandex_maps", "appstore")


def load_reviews() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for name, count in SETS:
        path = DATA / name
        if not path.is_file():
            pytest.skip(f"shared review set not present: {path}")
        with path.open(encoding="utf-8") as file:
            taken = [json.loads(line) for line in itertools.islice(file, count)]
        rows.extend(taken)
    return rows


def test_template_drafts_for_200_shared_reviews() -> None:
    rows = load_reviews()
    assert len(rows) == 200
    classifier = KeywordClassifier()
    labels = classifier.classify_sync(
        [TextInput(str(row["text"]), rating=_stars(row.get("rating"))) for row in rows]
    )
    voice = Voice(brand="Кофемания")
    used: set[str] = set()
    criticised_total = 0
    for index, (row, sentiment) in enumerate(zip(rows, labels, strict=True)):
        review = Review(
            text=str(row["text"]),
            author=["Иван", None, "ann_77", "Ольга Петрова"][index % 4],
            tone=Tone(sentiment.label),
            touchpoints=tuple(Touchpoint(t.tag, Tone(t.polarity)) for t in sentiment.touchpoints),
            platform=PLATFORMS[index % len(PLATFORMS)],
        )
        draft = template_draft(DraftRequest(review, voice, frozenset(used), seed=index))
        where = f"review {index} ({row['lang']}): {draft.text!r}"
        assert draft.language == row["lang"], where
        assert draft.fallback is None, where
        assert len(draft.text) <= reply_limit(review.platform), where
        assert not leftover_placeholders(draft.text), where
        criticised = {t.tag for t in review.touchpoints if t.polarity == Tone.NEGATIVE}
        criticised_total += len(criticised)
        for tag in criticised:
            assert acknowledges(draft.text, tag, draft.language), f"{tag} in {where}"
        assert draft.fingerprint not in used, where
        used.add(draft.fingerprint)
    # The sets must exercise the acknowledgements, not pass for want of criticism.
    assert criticised_total >= 100, criticised_total


def _stars(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None
