"""Plain records in and out of a classifier."""

from __future__ import annotations

from dataclasses import dataclass, field

from common.vocabulary import Label

LABELS: tuple[Label, ...] = tuple(Label)


@dataclass(frozen=True, slots=True)
class TextInput:
    text: str
    rating: float | None = None  # stars on a 1..5 scale, when the site has them
    brand: str | None = None


@dataclass(frozen=True, slots=True)
class TouchpointTag:
    tag: str  # staff, product, price, delivery, waiting, place, digital, support, ...
    polarity: Label


@dataclass(frozen=True, slots=True)
class Sentiment:
    label: Label
    score: float  # confidence of the label, 0..1
    scores: dict[str, float] = field(default_factory=dict)
    touchpoints: tuple[TouchpointTag, ...] = ()
    # Stars and text disagree (1 star with praise, 5 with anger): a person should look.
    needs_review: bool = False
