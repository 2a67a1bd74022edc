"""transformers backend: any Hugging Face sequence-classification model, id or local folder.

torch and transformers are an optional extra (`pip install otklik[transformers]`); they are
imported only here, only when such a model is asked for.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from common.vocabulary import Label
from sentiment.base import run_in_batches, to_sentiment
from sentiment.errors import SentimentError
from sentiment.records import LABELS, Sentiment, TextInput
from sentiment.stars import star_label
from sentiment.touchpoints import BrandTouchpoints, TouchpointTagger

logger = logging.getLogger(__name__)

MAX_TOKENS = 512
BATCH_SIZE = 32

_NAMES: dict[Label, tuple[str, ...]] = {
    Label.POSITIVE: ("positive", "pos", "позитив", "позитивный", "положительный", "good", "joy"),
    Label.NEUTRAL: ("neutral", "neu", "нейтральный", "нейтрально", "нейтрал", "none", "skip"),
    Label.NEGATIVE: ("negative", "neg", "негатив", "негативный", "отрицательный", "bad"),
}


def map_label_name(name: str) -> Label | None:
    """Our label for one of the model's label names, whatever its case or spelling."""
    key = re.sub(r"[^\w]+", "", name.strip().lower())
    for label, names in _NAMES.items():
        if key in names or any(key.startswith(n) for n in names if len(n) > 3):
            return label
    stars = re.fullmatch(r"(\d)stars?", key)
    return star_label(int(stars.group(1))) if stars else None


def map_id2label(id2label: Mapping[int, str]) -> dict[int, Label]:
    """Map the model's own id2label. Names we know win; generic LABEL_0.. names follow the
    usual convention (2 classes: negative, positive; 3: negative, neutral, positive)."""
    mapped: dict[int, Label] = {}
    unknown: list[int] = []
    for index, name in sorted(id2label.items()):
        label = map_label_name(str(name))
        if label is None:
            unknown.append(int(index))
        else:
            mapped[int(index)] = label
    if not unknown:
        return mapped
    generic = all(re.fullmatch(r"label_?\d+", str(id2label[i]).lower()) for i in unknown)
    if not mapped and generic and len(unknown) in (2, 3):
        order: tuple[Label, ...] = (
            (Label.NEGATIVE, Label.POSITIVE)
            if len(unknown) == 2
            else (Label.NEGATIVE, Label.NEUTRAL, Label.POSITIVE)
        )
        return dict(zip(unknown, order, strict=True))
    names = {i: id2label[i] for i in unknown}
    raise SentimentError(f"cannot map the model's labels {names} to positive/neutral/negative")


class TransformersClassifier:
    """Batched, truncated inference on CPU (or the device named)."""

    def __init__(
        self,
        model: str,
        touchpoints: BrandTouchpoints | None = None,
        device: str = "cpu",
    ) -> None:
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as exc:
            raise SentimentError(
                "the transformers backend needs the extra: pip install 'torch==2.13.0' transformers"
            ) from exc
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(model)
            self._model = AutoModelForSequenceClassification.from_pretrained(model)
        except Exception as exc:  # transformers raises OSError, ValueError, HTTP errors...
            raise SentimentError(f"cannot load model {model!r}: {exc}") from exc
        self._model.eval().to(device)
        self._torch: Any = torch
        self._device = device
        self._labels = map_id2label(self._model.config.id2label)
        limits = [MAX_TOKENS, getattr(self._model.config, "max_position_embeddings", MAX_TOKENS)]
        if 0 < getattr(self._tokenizer, "model_max_length", 0) < 100_000:
            limits.append(self._tokenizer.model_max_length)
        self._max_tokens = min(limits)
        self.name = f"transformers:{model}"
        self.fallback_reason: str | None = None
        self._tagger = TouchpointTagger(touchpoints)

    def text_scores(self, texts: Sequence[str]) -> list[dict[str, float]]:
        torch = self._torch
        # Empty texts tokenize to nothing useful; a space keeps shapes valid.
        inputs = self._tokenizer(
            [t[: MAX_TOKENS * 20] or " " for t in texts],
            padding=True,
            truncation=True,
            max_length=self._max_tokens,
            return_tensors="pt",
        ).to(self._device)
        with torch.inference_mode():
            probs = torch.softmax(self._model(**inputs).logits.float(), dim=-1).cpu().numpy()
        result: list[dict[str, float]] = []
        for row in probs:
            scores: dict[str, float] = dict.fromkeys(LABELS, 0.0)
            for index, label in self._labels.items():
                scores[label] += float(row[index])
            result.append(scores)
        return result

    def classify_sync(self, batch: Sequence[TextInput]) -> list[Sentiment]:
        results: list[Sentiment] = []
        for start in range(0, len(batch), BATCH_SIZE):
            chunk = batch[start : start + BATCH_SIZE]
            scores = self.text_scores([i.text for i in chunk])
            results.extend(
                to_sentiment(item, s, self._tagger) for item, s in zip(chunk, scores, strict=True)
            )
        return results

    async def classify(self, batch: Sequence[TextInput]) -> list[Sentiment]:
        return await run_in_batches(self.classify_sync, batch, batch_size=BATCH_SIZE * 4)
