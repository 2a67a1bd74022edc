"""The explainable reputation index: (share positive − share negative) × 100 over a set of
mentions, with a confidence interval, the average rating and the mentions that moved it most.

The interval is analytic, for the difference of two shares of one multinomial sample:
Var(p̂₊ − p̂₋) = (p₊ + p₋ − (p₊ − p₋)²) / n. Plain Wald collapses to a zero width when every
review agrees (5 of 5 positive reads as exactly +100), so one positive and one negative
pseudo-review are added before the variance is taken (the Agresti–Caffo idea for a difference).
No reviews give the whole −100..100 range; a handful give a wide one; hundreds a narrow one.
The point value stays the plain share difference the digest has always shown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from common.vocabulary import Label
from reports.touchpoints import touchpoint_marks
from storage.repositories.stats import MentionRow

Z95 = 1.959964
MOVERS = 3


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


@dataclass(frozen=True, slots=True)
class Mover:
    """A mention and how far the index would move without it (index points)."""

    mention: MentionRow
    polarity: str
    influence: float


@dataclass(frozen=True, slots=True)
class IndexFigures:
    """The index of one scope (brand, branch, touchpoint) over one period."""

    mentions: int
    positive: int
    negative: int
    interval: Interval
    rating: float | None
    movers: tuple[Mover, ...] = ()

    @property
    def index(self) -> float | None:
        return index_value(self.positive, self.negative, self.mentions)


def index_value(positive: int, negative: int, total: int) -> float | None:
    return 100 * (positive - negative) / total if total else None


def index_interval(positive: int, negative: int, total: int, *, z: float = Z95) -> Interval:
    """95% interval of the index, in index points, clipped to −100..100."""
    n = total + 2
    p_pos, p_neg = (positive + 1) / n, (negative + 1) / n
    centre = p_pos - p_neg
    spread = z * math.sqrt(max(p_pos + p_neg - centre**2, 0.0) / n)
    return Interval(100 * max(-1.0, centre - spread), 100 * min(1.0, centre + spread))


def polarity_of(mention: MentionRow, touchpoint: str | None) -> str | None:
    """The mention's tone for the scope: its label, or its polarity on the touchpoint;
    None when it does not count here (unclassified, or the touchpoint is not mentioned)."""
    if touchpoint is None:
        return mention.sentiment
    return next((mark for tag, mark in touchpoint_marks(mention) if tag == touchpoint), None)


def compute_index(
    mentions: Iterable[MentionRow],
    *,
    touchpoint: str | None = None,
    direction: float | None = None,
) -> IndexFigures:
    """The index over the mentions that count for the scope. `direction` (the change since the
    period before) picks the movers: when the index fell, the negatives that pulled it down."""
    counted: list[tuple[MentionRow, str]] = []
    for mention in mentions:
        if mention.backfill:
            continue  # history from a first poll belongs to no week's movement
        polarity = polarity_of(mention, touchpoint)
        if polarity is not None:
            counted.append((mention, polarity))
    positive = sum(1 for _, p in counted if p == Label.POSITIVE)
    negative = sum(1 for _, p in counted if p == Label.NEGATIVE)
    ratings = [m.rating for m, _ in counted if m.rating is not None]
    return IndexFigures(
        mentions=len(counted),
        positive=positive,
        negative=negative,
        interval=index_interval(positive, negative, len(counted)),
        rating=round(sum(ratings) / len(ratings), 2) if ratings else None,
        movers=_movers(counted, positive, negative, direction),
    )


def _influence(polarity: str, positive: int, negative: int, total: int) -> float:
    """Index minus the index without one mention of this polarity (leave-one-out)."""
    if total <= 1:
        return index_value(positive, negative, total) or 0.0
    without = index_value(
        positive - (polarity == Label.POSITIVE), negative - (polarity == Label.NEGATIVE), total - 1
    )
    return (index_value(positive, negative, total) or 0.0) - (without or 0.0)


def _movers(
    counted: Sequence[tuple[MentionRow, str]],
    positive: int,
    negative: int,
    direction: float | None,
) -> tuple[Mover, ...]:
    total = len(counted)
    movers = [
        Mover(mention, polarity, _influence(polarity, positive, negative, total))
        for mention, polarity in counted
    ]

    def weight(mover: Mover) -> tuple[float, float, int, int]:
        # Along the week's change first; among equal influence the clearer voice (stars at the
        # matching end, then the longer text), then the newest.
        along = mover.influence * (1 if direction is None or direction >= 0 else -1)
        if direction is None:
            along = abs(mover.influence)
        stars = mover.mention.rating or 3.0
        clarity = (stars - 3) if mover.polarity == Label.POSITIVE else (3 - stars)
        return (along, clarity, len(mover.mention.text), mover.mention.id)

    ranked = sorted(movers, key=weight, reverse=True)
    return tuple(m for m in ranked if m.influence != 0)[:MOVERS]
