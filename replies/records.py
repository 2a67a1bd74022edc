"""Typed records in and out of drafting: what the drafter is told and what it gives back."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from common.vocabulary import Label

# The review's overall tone (it picks an apology, thanks or a neutral opening) is its sentiment
# label: one vocabulary, not a second enum with the same values.
Tone = Label


class DraftOrigin(StrEnum):
    TEMPLATE = "template"
    LLM = "llm"


class Fallback(StrEnum):
    """Why a draft is not what was asked for."""

    LLM_FAILED = "llm_failed"  # no usable answer: timeout, HTTP error, refusal
    LLM_REJECTED = "llm_rejected"  # an answer that broke a rule (length, language, promise)
    REPEATED = "repeated"  # too few template variants to differ from today's drafts
    TOO_LONG = "too_long"  # the templates do not fit the platform's limit


@dataclass(frozen=True, slots=True)
class Touchpoint:
    """A part of the experience the review talks about, with that clause's tone."""

    tag: str
    polarity: Tone


@dataclass(frozen=True, slots=True)
class Review:
    """The review to answer, as the drafter needs it."""

    text: str
    author: str | None = None
    rating: float | None = None
    tone: Tone = Tone.NEUTRAL
    touchpoints: tuple[Touchpoint, ...] = ()
    language: str | None = None  # "ru" | "en"; detected from the text when None
    platform: str = ""  # the source kind: picks the platform's length limit


@dataclass(frozen=True, slots=True)
class Voice:
    """How the brand answers: its name and signature, tone notes and house rules for a
    language model, and whether offers (discounts, compensation) may be mentioned."""

    brand: str
    signature: str | None = None
    tone_notes: str = ""
    rules: tuple[str, ...] = ()
    allow_offers: bool = False
    # The owner's template overrides: (language, key) → variants.
    templates: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DraftRequest:
    review: Review
    voice: Voice
    # Fingerprints of the brand's drafts today: a new draft must read differently.
    avoid: frozenset[str] = frozenset()
    seed: int = 0


@dataclass(frozen=True, slots=True)
class Draft:
    text: str
    origin: DraftOrigin
    language: str
    fingerprint: str
    acknowledged: tuple[str, ...] = ()  # touchpoint tags the text answers
    fallback: Fallback | None = None
    note: str | None = None  # the fallback's detail, e.g. "no answer within 20 s"
