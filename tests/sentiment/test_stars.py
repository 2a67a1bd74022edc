from __future__ import annotations

import pytest

from sentiment.stars import combine, valid_rating

PRAISE = {"positive": 0.9, "neutral": 0.07, "negative": 0.03}
ANGER = {"positive": 0.03, "neutral": 0.07, "negative": 0.9}
FLAT = {"positive": 0.3, "neutral": 0.4, "negative": 0.3}


def test_without_rating_text_decides() -> None:
    assert combine(PRAISE, None) == ("positive", PRAISE, False)


def test_one_star_with_praise_is_flagged_and_trusts_stars() -> None:
    label, scores, review = combine(PRAISE, 1)
    assert (label, review) == ("negative", True)
    assert abs(sum(scores.values()) - 1) < 1e-9


def test_five_stars_with_anger_is_flagged() -> None:
    label, _, review = combine(ANGER, 5)
    assert (label, review) == ("positive", True)


def test_agreement_is_not_flagged() -> None:
    assert combine(ANGER, 1)[0::2] == ("negative", False)
    assert combine(PRAISE, 5)[0::2] == ("positive", False)


def test_stars_settle_an_unsure_text() -> None:
    assert combine(FLAT, 1)[0] == "negative"
    assert combine(FLAT, 5)[0] == "positive"


@pytest.mark.parametrize("rating", [float("nan"), 0, 17, -1])
def test_nonsense_rating_is_ignored(rating: float) -> None:
    assert valid_rating(rating) is None
    assert combine(PRAISE, rating) == ("positive", PRAISE, False)
