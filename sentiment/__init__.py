"""Sentiment labels and touchpoint tags for mention texts.

`load_classifier()` gives the bundled linear model (fast, offline). "encoder" asks for the
pretrained encoder's embeddings through the project's head, stacked with the linear model: far
better on reviews and news, worse on Russian tweets and about 300 times slower, so it is opted
into; where the encoder cannot load, the linear model stands in with `fallback_reason` saying
why. "keywords" is the fast lexicon classifier, any other name a Hugging Face model (needs the
`transformers` extra), falling back to the linear model when it cannot be loaded.
"""

from __future__ import annotations

import logging

from sentiment.base import Classifier
from sentiment.bundled import BundledClassifier
from sentiment.encoded import EncoderClassifier
from sentiment.errors import SentimentError
from sentiment.hf import TransformersClassifier
from sentiment.keywords import KeywordClassifier
from sentiment.records import LABELS, Sentiment, TextInput, TouchpointTag
from sentiment.touchpoints import BrandTouchpoints

logger = logging.getLogger(__name__)

__all__ = [
    "LABELS",
    "Classifier",
    "Sentiment",
    "TextInput",
    "TouchpointTag",
    "load_classifier",
]


def load_classifier(
    model: str | None = None, *, touchpoints: BrandTouchpoints | None = None
) -> Classifier:
    """The classifier named by `model` (OTKLIK_SENTIMENT_MODEL): None, "bundled" or "linear" →
    the linear model, "encoder" → encoder + linear model, "keywords" → lexicon + stars, anything
    else → transformers. The caller logs `fallback_reason` (once, at start)."""
    name = (model or "").strip()
    chosen = name.lower()
    if chosen == "keywords":
        return KeywordClassifier(touchpoints)
    reason: str | None = None
    if chosen == "encoder":
        try:
            return EncoderClassifier(touchpoints=touchpoints)
        except SentimentError as exc:
            reason = str(exc)
    elif name and chosen not in ("bundled", "linear"):
        try:
            return TransformersClassifier(name, touchpoints)
        except SentimentError as exc:
            reason = str(exc)
    classifier: Classifier
    try:
        classifier = BundledClassifier(touchpoints=touchpoints)
    except SentimentError as exc:
        logger.error("bundled sentiment model unavailable, using keywords: %s", exc)
        reason = f"{reason}; {exc}" if reason else str(exc)
        classifier = KeywordClassifier(touchpoints)
    classifier.fallback_reason = reason
    return classifier
