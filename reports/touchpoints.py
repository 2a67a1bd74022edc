"""Touchpoints in reviews: which are criticised and praised most, with a short quote each.

mentions.touchpoints is a JSON list of {"tag": ..., "polarity": ...}; a bare tag string takes
the mention's own sentiment.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from common.vocabulary import Label
from storage.repositories.stats import MentionRow

QUOTE_CHARS = 110
TOP_TOUCHPOINTS = 3
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s")


@dataclass(frozen=True, slots=True)
class TouchpointFigures:
    """A touchpoint's count of marks in the period and the one before, with an example."""

    tag: str
    count: int
    previous_count: int
    quote: str
    quote_url: str | None


def short_quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """The first sentence of a text, whitespace collapsed, cut at a word to `limit` chars."""
    flat = " ".join(text.split())
    sentence = _SENTENCE_END.split(flat, maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence
    cut = (
        sentence[: limit - 1].rsplit(" ", 1)[0]
        if " " in sentence[: limit - 1]
        else sentence[: limit - 1]
    )
    return cut.rstrip(",;:—- ") + "…"


def touchpoint_marks(mention: MentionRow) -> list[tuple[str, str]]:
    """(tag, polarity) pairs of a mention; a bare tag takes the mention's own sentiment."""
    marks = []
    for item in mention.touchpoints:
        if isinstance(item, dict) and item.get("tag"):
            polarity = _polarity(str(item.get("polarity") or mention.sentiment or ""))
            marks.append((str(item["tag"]), polarity))
        elif isinstance(item, str) and item:
            marks.append((item, _polarity(mention.sentiment or "")))
    return marks


def _polarity(value: str) -> str:
    lowered = value.strip().lower()
    if lowered.startswith(("neg", "-")):
        return Label.NEGATIVE
    if lowered.startswith(("pos", "+")):
        return Label.POSITIVE
    return Label.NEUTRAL


def ranked_touchpoints(
    mentions: Sequence[MentionRow], previous_mentions: Sequence[MentionRow], polarity: str
) -> list[TouchpointFigures]:
    """The touchpoints most often marked with `polarity`, each with the latest review's quote
    (not one already quoted for a higher-ranked touchpoint)."""
    tagged: dict[str, list[MentionRow]] = defaultdict(list)
    for mention in mentions:
        for tag in {tag for tag, mark in touchpoint_marks(mention) if mark == polarity}:
            tagged[tag].append(mention)
    before: Counter[str] = Counter()
    for mention in previous_mentions:
        for tag in {tag for tag, mark in touchpoint_marks(mention) if mark == polarity}:
            before[tag] += 1
    ranked = sorted(tagged, key=lambda tag: (-len(tagged[tag]), tag))[:TOP_TOUCHPOINTS]
    result = []
    quoted: set[int] = set()
    for tag in ranked:
        candidates = sorted(tagged[tag], key=lambda mention: (mention.at, mention.id), reverse=True)
        example = next((m for m in candidates if m.id not in quoted), candidates[0])
        quoted.add(example.id)
        result.append(
            TouchpointFigures(
                tag=tag,
                count=len(tagged[tag]),
                previous_count=before[tag],
                quote=short_quote(example.text or example.title or ""),
                quote_url=example.url,
            )
        )
    return result
