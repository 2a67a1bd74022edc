"""The bundled offline classifier: the project's own linear model plus stars and touchpoints."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from common.vocabulary import Label
from sentiment.base import run_in_batches, to_sentiment
from sentiment.linear import MODEL_DIR, LinearModel
from sentiment.records import Sentiment, TextInput
from sentiment.touchpoints import BrandTouchpoints, TouchpointTagger


class BundledClassifier:
    """Runs the linear model shipped in sentiment/model (numpy only, no network)."""

    name = "linear"

    def __init__(
        self,
        folder: Path = MODEL_DIR,
        touchpoints: BrandTouchpoints | None = None,
    ) -> None:
        self.fallback_reason: str | None = None
        self.model = LinearModel.load(folder)
        self._tagger = TouchpointTagger(touchpoints)

    def text_scores(self, batch: Sequence[TextInput]) -> list[dict[str, float]]:
        probs = self.model.predict_proba([i.text for i in batch], [i.brand for i in batch])
        return [dict(zip(self.model.classes, map(float, row), strict=True)) for row in probs]

    def _clause_labels(self, texts: Sequence[str]) -> list[Label]:
        probs = self.model.predict_proba(list(texts), [None] * len(texts))
        return [self.model.classes[i] for i in probs.argmax(axis=1)]

    def classify_sync(self, batch: Sequence[TextInput]) -> list[Sentiment]:
        return [
            to_sentiment(item, scores, self._tagger, self._clause_labels)
            for item, scores in zip(batch, self.text_scores(batch), strict=True)
        ]

    async def classify(self, batch: Sequence[TextInput]) -> list[Sentiment]:
        return await run_in_batches(self.classify_sync, batch)
