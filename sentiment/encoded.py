"""The default classifier: the pretrained encoder's sentence embeddings through the project's head,
stacked with the linear model, then stars and touchpoints."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from common.vocabulary import Label
from sentiment.base import run_in_batches, to_sentiment
from sentiment.encoder import Encoder
from sentiment.head import EncoderHead
from sentiment.linear import MODEL_DIR, LinearModel
from sentiment.records import Sentiment, TextInput
from sentiment.text import branded_flags
from sentiment.touchpoints import BrandTouchpoints, TouchpointTagger

# The encoder reads about ten 300-character reviews a second per core: small chunks let the
# texts of one poll and of another take turns instead of one waiting for a whole backfill.
ENCODER_BATCH = 16


class EncoderClassifier:
    """Multilingual e5 embeddings + the trained head, blended with the linear model."""

    name = "encoder"

    def __init__(
        self,
        folder: Path = MODEL_DIR,
        touchpoints: BrandTouchpoints | None = None,
        encoder: Encoder | None = None,
    ) -> None:
        self.fallback_reason: str | None = None
        self.linear = LinearModel.load(folder)
        self.head = EncoderHead.load(folder)
        self.encoder = encoder or Encoder()
        self._order = [self.linear.classes.index(k) for k in self.head.classes]
        self._tagger = TouchpointTagger(touchpoints)
        # The C engine keeps its work buffers in the model: one batch through it at a time.
        self._encoder_lock = threading.Lock()

    def text_scores(self, batch: Sequence[TextInput]) -> list[dict[str, float]]:
        texts, brands = [i.text for i in batch], [i.brand for i in batch]
        linear = self.linear.predict_proba(texts, brands)[:, self._order]
        with self._encoder_lock:
            embeddings = self.encoder.embed(texts)
        proba = self.head.predict_proba(embeddings, branded_flags(texts, brands), linear)
        return [dict(zip(self.head.classes, map(float, row), strict=True)) for row in proba]

    def _clause_labels(self, texts: Sequence[str]) -> list[Label]:
        # Clauses are many and short: the linear model reads them, the encoder would cost a
        # forward pass each.
        probs = self.linear.predict_proba(list(texts), [None] * len(texts))
        return [self.linear.classes[i] for i in np.argmax(probs, axis=1)]

    def classify_sync(self, batch: Sequence[TextInput]) -> list[Sentiment]:
        return [
            to_sentiment(
                item,
                scores,
                self._tagger,
                self._clause_labels,
                negative_threshold=self.head.negative_threshold,
            )
            for item, scores in zip(batch, self.text_scores(batch), strict=True)
        ]

    async def classify(self, batch: Sequence[TextInput]) -> list[Sentiment]:
        return await run_in_batches(self.classify_sync, batch, batch_size=ENCODER_BATCH)
