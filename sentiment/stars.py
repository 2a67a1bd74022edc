"""Combine what the text says with the star rating the author gave.

The stars are the reviewer's own label: 1–2 negative, 4–5 positive, 3 left to the text. Only a
text that clearly says otherwise (calibrated probability of at least CLEAR) is a disagreement,
and a disagreement always asks a person to look (`needs_review`). Under 4–5 stars a clear
complaint is labelled negative, so the owner hears of it; under 1–2 stars clear praise keeps the
negative label: praise there is as often sarcasm («спасибо, что потеряли мои деньги»), and a
missed complaint costs more than a false alarm. A 1–2 star review is never neutral or positive.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from common.vocabulary import Label
from sentiment.records import LABELS

# What a given star count usually means, by label (positive, neutral, negative): it weighs the
# text's probabilities into the scores shown beside the label.
_STAR_PRIOR: dict[int, tuple[float, float, float]] = {
    1: (0.04, 0.10, 0.86),
    2: (0.08, 0.20, 0.72),
    3: (0.25, 0.45, 0.30),
    4: (0.70, 0.22, 0.08),
    5: (0.85, 0.11, 0.04),
}
# Text probability at which it clearly contradicts the stars.
CLEAR = 0.8


def valid_rating(rating: float | None) -> float | None:
    """A rating on the 1..5 scale, or None when missing or nonsense (NaN, 0, 17)."""
    if rating is None or not isinstance(rating, int | float) or math.isnan(rating):
        return None
    return float(rating) if 1.0 <= rating <= 5.0 else None


def star_label(rating: float) -> Label:
    stars = round(rating)
    return Label.NEGATIVE if stars <= 2 else Label.NEUTRAL if stars == 3 else Label.POSITIVE


def text_label(text_scores: Mapping[str, float], negative_threshold: float | None = None) -> Label:
    """The text's own label: the likeliest one, or negative once its probability reaches the
    operating point `negative_threshold` (chosen for recall on held-out data)."""
    if (
        negative_threshold is not None
        and text_scores.get(Label.NEGATIVE, 0.0) >= negative_threshold
    ):
        return Label.NEGATIVE
    candidates = LABELS if negative_threshold is None else (Label.POSITIVE, Label.NEUTRAL)
    return max(candidates, key=lambda k: text_scores.get(k, 0.0))


def combine(
    text_scores: Mapping[str, float],
    rating: float | None,
    negative_threshold: float | None = None,
) -> tuple[Label, dict[str, float], bool]:
    """(label, scores, needs_review). Without a rating the text decides; with one, the stars
    do unless the text clearly says otherwise (see the module's note)."""
    said = text_label(text_scores, negative_threshold)
    rating = valid_rating(rating)
    if rating is None:
        return said, {k: float(text_scores.get(k, 0.0)) for k in LABELS}, False
    prior = dict(zip(LABELS, _STAR_PRIOR[round(rating)], strict=True))
    product = {k: max(text_scores.get(k, 0.0), 1e-6) * prior[k] for k in LABELS}
    total = sum(product.values())
    scores: dict[str, float] = {k: v / total for k, v in product.items()}
    stars = star_label(rating)
    if stars == Label.NEUTRAL:
        return said, scores, False
    if stars == Label.NEGATIVE:
        return Label.NEGATIVE, scores, text_scores.get(Label.POSITIVE, 0.0) >= CLEAR
    if text_scores.get(Label.NEGATIVE, 0.0) >= CLEAR:
        return Label.NEGATIVE, scores, True
    return Label.POSITIVE, scores, False
