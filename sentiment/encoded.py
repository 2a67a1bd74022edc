"""The default classifier: the pretrained encoder's sentence embeddings through the project's head,
stacked with the linear model, then stars and touchpoints."""

from __future__ import annotations

import os
import queue
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
# Engines run side by side, one a core: the C engine releases the GIL but works one batch at a
# time (its own thread setting changes nothing), so two engines on two cores read twice as fast.
# Each further engine holds about 55 MB while it reads; two keep `otklik run` near 500 MB.
MAX_ENGINES = 2


def linear_proba(
    linear: LinearModel, head: EncoderHead, texts: Sequence[str], brands: Sequence[str | None]
) -> np.ndarray:
    """The linear model's probabilities, columns in the head's class order."""
    order = [linear.classes.index(k) for k in head.classes]
    proba: np.ndarray = linear.predict_proba(list(texts), list(brands))[:, order]
    return proba


def stacked_proba(
    linear: LinearModel,
    head: EncoderHead,
    texts: Sequence[str],
    brands: Sequence[str | None],
    embeddings: np.ndarray,
    *,
    linear_scores: np.ndarray | None = None,
) -> np.ndarray:
    """The stack's calibrated probabilities (texts × classes, `head.classes` order) given the
    texts' embeddings: what the classifier computes, and what the bench and the floor tests
    score from cached embeddings. `linear_scores`: `linear_proba` of the texts, where the
    caller has it already."""
    if linear_scores is None:
        linear_scores = linear_proba(linear, head, texts, brands)
    return head.predict_proba(embeddings, branded_flags(texts, brands), linear_scores)


class EncoderClassifier:
    """Multilingual e5 embeddings + the trained head, blended with the linear model."""

    name = "encoder"

    def __init__(
        self,
        folder: Path = MODEL_DIR,
        touchpoints: BrandTouchpoints | None = None,
        encoder: Encoder | None = None,
        engines: int | None = None,
    ) -> None:
        """`engines`: how many encoder engines read side by side (default: one a core, at most
        MAX_ENGINES); a given `encoder` is the only one."""
        self.fallback_reason: str | None = None
        self.linear = LinearModel.load(folder)
        self.head = EncoderHead.load(folder)
        self.encoder = encoder or Encoder()
        count = 1 if encoder else engines or min(MAX_ENGINES, os.cpu_count() or 1)
        self.engines = max(1, count)
        # The C engine keeps its work buffers in the model: each engine reads one batch at a
        # time, and a chunk waits here for a free one.
        self._free: queue.SimpleQueue[Encoder] = queue.SimpleQueue()
        self._free.put(self.encoder)
        for _ in range(self.engines - 1):
            self._free.put(Encoder())
        self._tagger = TouchpointTagger(touchpoints)

    def text_scores(self, batch: Sequence[TextInput]) -> list[dict[str, float]]:
        texts, brands = [i.text for i in batch], [i.brand for i in batch]
        engine = self._free.get()
        try:
            embeddings = engine.embed(texts)
        finally:
            self._free.put(engine)
        proba = stacked_proba(self.linear, self.head, texts, brands, embeddings)
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
        return await run_in_batches(
            self.classify_sync, batch, batch_size=ENCODER_BATCH, lanes=self.engines
        )
