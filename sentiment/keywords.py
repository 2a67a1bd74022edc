"""The keyword classifier: star rating plus a sentiment lexicon. Fast, no model file, and the
last resort when no model can be loaded."""

from __future__ import annotations

import math
from collections.abc import Sequence

from common.vocabulary import Label
from sentiment.base import run_in_batches, to_sentiment
from sentiment.lexicon import polarity_score
from sentiment.records import Sentiment, TextInput
from sentiment.text import MAX_CHARS
from sentiment.touchpoints import BrandTouchpoints, TouchpointTagger


def lexicon_scores(text: str) -> dict[str, float]:
    """Soft scores from the lexicon balance: no cues reads as neutral."""
    score = polarity_score(text[:MAX_CHARS])
    strength = 1.0 - math.exp(-abs(score))
    if score == 0:
        return {Label.POSITIVE: 0.2, Label.NEUTRAL: 0.6, Label.NEGATIVE: 0.2}
    side, other = (
        (Label.POSITIVE, Label.NEGATIVE) if score > 0 else (Label.NEGATIVE, Label.POSITIVE)
    )
    main = 0.4 + 0.5 * strength
    return {side: main, Label.NEUTRAL: (1 - main) * 0.7, other: (1 - main) * 0.3}


class KeywordClassifier:
    """Lexicon + stars; Russian and English."""

    name = "keywords"

    def __init__(self, touchpoints: BrandTouchpoints | None = None) -> None:
        self.fallback_reason: str | None = None
        self._tagger = TouchpointTagger(touchpoints)

    def classify_sync(self, batch: Sequence[TextInput]) -> list[Sentiment]:
        return [to_sentiment(item, lexicon_scores(item.text), self._tagger) for item in batch]

    async def classify(self, batch: Sequence[TextInput]) -> list[Sentiment]:
        return await run_in_batches(self.classify_sync, batch)
