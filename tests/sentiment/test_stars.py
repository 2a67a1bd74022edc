from __future__ import annotations

import pytest

from sentiment.stars import combine, text_label, valid_rating

PRAISE = {"positive": 0.9, "neutral": 0.07, "negative": 0.03}
ANGER = {"positive": 0.03, "neutral": 0.07, "negative": 0.9}
FLAT = {"positive": 0.3, "neutral": 0.4, "negative": 0.3}
MILD_PRAISE = {"positive": 0.7, "neutral": 0.2, "negative": 0.1}


def test_without_rating_text_decides() -> None:
    assert combine(PRAISE, None) == ("positive", PRAISE, False)


def test_one_star_with_clear_praise_stays_negative_and_is_flagged() -> None:
    label, scores, review = combine(PRAISE, 1)
    assert (label, review) == ("negative", True)
    assert abs(sum(scores.values()) - 1) < 1e-9


def test_five_stars_with_a_clear_complaint_is_negative_and_flagged() -> None:
    assert combine(ANGER, 5)[0::2] == ("negative", True)
    assert combine(ANGER, 4)[0::2] == ("negative", True)


def test_agreement_is_not_flagged() -> None:
    assert combine(ANGER, 1)[0::2] == ("negative", False)
    assert combine(PRAISE, 5)[0::2] == ("positive", False)


@pytest.mark.parametrize("scores", [FLAT, MILD_PRAISE, PRAISE, ANGER])
def test_two_stars_are_never_neutral_or_positive_silently(scores: dict[str, float]) -> None:
    label, _, review = combine(scores, 2)
    assert label == "negative" or review


def test_stars_decide_an_unclear_text_and_three_stars_leave_it_to_the_text() -> None:
    assert combine(FLAT, 1)[0::2] == ("negative", False)
    assert combine(MILD_PRAISE, 2)[0::2] == ("negative", False)
    assert combine(FLAT, 4)[0::2] == ("positive", False)
    assert combine(MILD_PRAISE, 3)[0::2] == ("positive", False)
    assert combine(ANGER, 3)[0::2] == ("negative", False)


def test_operating_point_favours_negatives() -> None:
    leaning = {"positive": 0.45, "neutral": 0.2, "negative": 0.35}
    assert text_label(leaning) == "positive"
    assert text_label(leaning, negative_threshold=0.3) == "negative"
    assert combine(leaning, None, 0.3)[0] == "negative"


@pytest.mark.parametrize("rating", [float("nan"), 0, 17, -1])
def test_nonsense_rating_is_ignored(rating: float) -> None:
    assert valid_rating(rating) is None
    assert combine(PRAISE, rating) == ("positive", PRAISE, False)
