"""The keyword classifier: star rating plus a sentiment lexicon. Fast, no model file, and the
last resort when no model can be loaded."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from sentiment.base import run_in_batches
from sentiment.lexicon import polarity_score
from sentiment.records import Sentiment, TextInput
from sentiment.stars import combine
from sentiment.text import MAX_CHARS
from sentiment.touchpoints import TouchpointTagger


def lexicon_scores(text: str) -> dict[str, float]:
    """Soft scores from the lexicon balance: no cues reads as neutral."""
    score = polarity_score(text[:MAX_CHARS])
    strength = 1.0 - math.exp(-abs(score))
    if score == 0:
        return {"positive": 0.2, "neutral": 0.6, "negative": 0.2}
    side, other = ("positive", "negative") if score > 0 else ("negative", "positive")
    main = 0.4 + 0.5 * strength
    return {side: main, "neutral": (1 - main) * 0.7, other: (1 - main) * 0.3}


class KeywordClassifier:
    """Lexicon + stars; Russian and English."""

    name = "keywords"

    def __init__(
        self, touchpoints: Mapping[str, Mapping[str, Sequence[str]]] | None = None
    ) -> None:
        self.fallback_reason: str | None = None
        self._tagger = TouchpointTagger(touchpoints)

    def classify_sync(self, batch: Sequence[TextInput]) -> list[Sentiment]:
        results = []
        for item in batch:
            label, scores, review = combine(lexicon_scores(item.text), item.rating)
            results.append(
                Sentiment(
                    label=label,
                    score=scores[label],
                    scores=scores,
                    touchpoints=self._tagger.tag(item.text, item.brand, label),
                    needs_review=review,
                )
            )
        return results

    async def classify(self, batch: Sequence[TextInput]) -> list[Sentiment]:
        return await run_in_batches(self.classify_sync, batch)
