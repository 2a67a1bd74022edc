"""The bundled model: a tf-idf linear classifier stored as JSON + npz, run with numpy only.

The weights have two copies of every feature: a general one and one that only counts when the
text names the monitored brand (brand-level tweets, where the label is the author's attitude to
that brand rather than the overall mood). This is the "frustratingly easy" domain adaptation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from otklik.errors import SentimentError
from sentiment.features import Vectorizer, analyze
from sentiment.records import LABELS
from sentiment.text import BRAND_TOKEN, normalize

FORMAT = "otklik-linear-1"
MODEL_DIR = Path(__file__).with_name("model")


@dataclass(slots=True)
class LinearModel:
    """Vectorizer plus weights; `classes` is the order of the score columns."""

    vectorizer: Vectorizer
    classes: tuple[str, ...]
    weights: np.ndarray  # (features, classes): general copy
    brand_weights: np.ndarray  # (features, classes): extra when the brand is named
    bias: np.ndarray  # (classes,)
    brand_bias: np.ndarray  # (classes,)
    meta: dict[str, object]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        vocab = sorted(self.vectorizer.vocabulary, key=self.vectorizer.vocabulary.__getitem__)
        blob = np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8)
        np.savez_compressed(
            folder / "weights.npz",
            vocabulary=blob,
            idf=self.vectorizer.idf.astype(np.float32),
            weights=self.weights.astype(np.float16),
            brand_weights=self.brand_weights.astype(np.float16),
            bias=self.bias.astype(np.float32),
            brand_bias=self.brand_bias.astype(np.float32),
        )
        meta = {"format": FORMAT, "classes": list(self.classes), **self.meta}
        (folder / "model.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path = MODEL_DIR) -> LinearModel:
        try:
            meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT:
                raise SentimentError(f"{folder}: unknown model format {meta.get('format')!r}")
            # allow_pickle=False: a model file can hold numbers, never code.
            with np.load(folder / "weights.npz", allow_pickle=False) as data:
                words = bytes(data["vocabulary"]).decode("utf-8").split("\n")
                vectorizer = Vectorizer(
                    {w: i for i, w in enumerate(words)}, data["idf"].astype(np.float32)
                )
                arrays = {k: data[k].astype(np.float32) for k in data.files if k != "vocabulary"}
        except (OSError, ValueError, KeyError) as exc:
            raise SentimentError(f"cannot read the sentiment model in {folder}: {exc}") from exc
        classes = tuple(meta.pop("classes"))
        if set(classes) != set(LABELS):
            raise SentimentError(f"{folder}: model classes {classes} are not {LABELS}")
        return cls(
            vectorizer,
            classes,
            arrays["weights"],
            arrays["brand_weights"],
            arrays["bias"],
            arrays["brand_bias"],
            meta,
        )

    def predict_proba(self, texts: Sequence[str], brands: Sequence[str | None]) -> np.ndarray:
        """Probabilities (texts × classes), columns in `self.classes` order."""
        normalized = [normalize(t, b) for t, b in zip(texts, brands, strict=True)]
        indptr, indices, values = self.vectorizer.transform(analyze(t) for t in normalized)
        branded = np.array([BRAND_TOKEN in t.split() for t in normalized], dtype=np.float32)
        n = len(normalized)
        rows = np.repeat(np.arange(n), np.diff(indptr))
        brand_row = branded[rows]
        logits = np.empty((n, len(self.classes)), dtype=np.float64)
        for c in range(len(self.classes)):
            per_feature = values * (
                self.weights[indices, c] + brand_row * self.brand_weights[indices, c]
            )
            logits[:, c] = np.bincount(rows, weights=per_feature, minlength=n)
        logits += self.bias + branded[:, None] * self.brand_bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)
