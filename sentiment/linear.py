"""The bundled model: a tf-idf linear classifier stored as JSON + npz, run with numpy only.

The weights have two copies of every feature: a general one and one that only counts when the
text names the monitored brand (brand-level tweets, where the label is the author's attitude to
that brand rather than the overall mood). This is the "frustratingly easy" domain adaptation.

Beside the n-grams, each known word carries per-class weights learned through its pretrained
vector (`sentiment/embeddings.py`); a text adds the average over its known words. Words the
labelled data never had still count this way, through their likeness to words it had.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sentiment.errors import SentimentError
from sentiment.features import Vectorizer, analyze, word_average
from sentiment.records import LABELS
from sentiment.text import BRAND_TOKEN, normalize, words

FORMAT = "otklik-linear-2"
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
    word_index: dict[str, int]
    word_weights: np.ndarray  # (words, classes): averaged over the text's known words
    word_brand_weights: np.ndarray  # (words, classes): the same, when the brand is named
    meta: dict[str, object]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            folder / "weights.npz",
            vocabulary=_word_blob(self.vectorizer.vocabulary),
            word_vocabulary=_word_blob(self.word_index),
            idf=self.vectorizer.idf.astype(np.float32),
            weights=self.weights.astype(np.float16),
            brand_weights=self.brand_weights.astype(np.float16),
            bias=self.bias.astype(np.float32),
            brand_bias=self.brand_bias.astype(np.float32),
            word_weights=self.word_weights.astype(np.float16),
            word_brand_weights=self.word_brand_weights.astype(np.float16),
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
                vocabulary = _read_blob(data["vocabulary"])
                word_index = _read_blob(data["word_vocabulary"])
                arrays = {
                    k: data[k].astype(np.float32)
                    for k in data.files
                    if not k.endswith("vocabulary")
                }
        except (OSError, ValueError, KeyError) as exc:
            raise SentimentError(f"cannot read the sentiment model in {folder}: {exc}") from exc
        classes = tuple(meta.pop("classes"))
        if set(classes) != set(LABELS):
            raise SentimentError(f"{folder}: model classes {classes} are not {LABELS}")
        return cls(
            Vectorizer(vocabulary, arrays["idf"]),
            classes,
            arrays["weights"],
            arrays["brand_weights"],
            arrays["bias"],
            arrays["brand_bias"],
            word_index,
            arrays["word_weights"],
            arrays["word_brand_weights"],
            meta,
        )

    def predict_proba(self, texts: Sequence[str], brands: Sequence[str | None]) -> np.ndarray:
        """Probabilities (texts × classes), columns in `self.classes` order."""
        normalized = [normalize(t, b) for t, b in zip(texts, brands, strict=True)]
        tokens = [words(t) for t in normalized]
        branded = np.array([BRAND_TOKEN in t for t in tokens], dtype=np.float32)
        logits = _sparse_logits(
            self.vectorizer.transform(analyze(t) for t in tokens),
            self.weights,
            self.brand_weights,
            branded,
        )
        logits += _sparse_logits(
            word_average(tokens, self.word_index),
            self.word_weights,
            self.word_brand_weights,
            branded,
        )
        logits += self.bias + branded[:, None] * self.brand_bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        probabilities: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
        return probabilities


def _sparse_logits(
    csr: tuple[np.ndarray, np.ndarray, np.ndarray],
    weights: np.ndarray,
    brand_weights: np.ndarray,
    branded: np.ndarray,
) -> np.ndarray:
    """Rows of a CSR matrix times the general weights, plus the brand copy where branded."""
    indptr, indices, values = csr
    n = len(indptr) - 1
    rows = np.repeat(np.arange(n), np.diff(indptr))
    brand_row = branded[rows]
    logits = np.empty((n, weights.shape[1]), dtype=np.float64)
    for c in range(weights.shape[1]):
        per_feature = values * (weights[indices, c] + brand_row * brand_weights[indices, c])
        logits[:, c] = np.bincount(rows, weights=per_feature, minlength=n)
    return logits


def _word_blob(index: dict[str, int]) -> np.ndarray:
    ordered = sorted(index, key=index.__getitem__)
    return np.frombuffer("\n".join(ordered).encode("utf-8"), dtype=np.uint8)


def _read_blob(blob: np.ndarray) -> dict[str, int]:
    return {w: i for i, w in enumerate(bytes(blob).decode("utf-8").split("\n"))}
