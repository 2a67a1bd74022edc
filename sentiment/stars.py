"""Combine what the text says with the star rating the author gave."""

from __future__ import annotations

import math
from collections.abc import Mapping

from common.vocabulary import Label
from sentiment.records import LABELS

# What a given star count usually means, by label (positive, neutral, negative): the author's
# own rating is strong evidence, the text model weighs it up or down.
_STAR_PRIOR: dict[int, tuple[float, float, float]] = {
    1: (0.04, 0.10, 0.86),
    2: (0.08, 0.20, 0.72),
    3: (0.25, 0.45, 0.30),
    4: (0.70, 0.22, 0.08),
    5: (0.85, 0.11, 0.04),
}
# Text confidence at which praise under 1–2 stars (or anger under 5) is a real disagreement.
CONFLICT_CONFIDENCE = 0.6


def valid_rating(rating: float | None) -> float | None:
    """A rating on the 1..5 scale, or None when missing or nonsense (NaN, 0, 17)."""
    if rating is None or not isinstance(rating, int | float) or math.isnan(rating):
        return None
    return float(rating) if 1.0 <= rating <= 5.0 else None


def star_label(rating: float) -> Label:
    stars = round(rating)
    return Label.NEGATIVE if stars <= 2 else Label.NEUTRAL if stars == 3 else Label.POSITIVE


def combine(
    text_scores: Mapping[str, float], rating: float | None
) -> tuple[Label, dict[str, float], bool]:
    """(label, scores, needs_review). Without a rating the text decides. With one, the scores
    are the normalised product of text and star evidence; when a 1–2 star review reads as
    praise, or a 5 star one as anger, the stars give the label and a person is asked to look."""
    text_label: Label = max(LABELS, key=lambda k: text_scores.get(k, 0.0))
    rating = valid_rating(rating)
    if rating is None:
        return text_label, {k: float(text_scores.get(k, 0.0)) for k in LABELS}, False
    prior = dict(zip(LABELS, _STAR_PRIOR[round(rating)], strict=True))
    product = {k: max(text_scores.get(k, 0.0), 1e-6) * prior[k] for k in LABELS}
    total = sum(product.values())
    scores: dict[str, float] = {k: v / total for k, v in product.items()}
    label: Label = max(LABELS, key=scores.__getitem__)
    conflict = (
        rating <= 2.0
        and text_label == Label.POSITIVE
        and text_scores.get(Label.POSITIVE, 0.0) >= CONFLICT_CONFIDENCE
    ) or (
        rating >= 4.5
        and text_label == Label.NEGATIVE
        and text_scores.get(Label.NEGATIVE, 0.0) >= CONFLICT_CONFIDENCE
    )
    if conflict:
        label = star_label(rating)
    return label, scores, conflict
