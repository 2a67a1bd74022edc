"""The classification head over the encoder's sentence embeddings, stacked with the linear model.

Two layers, both plain matrices (`encoder_head.npz` + `encoder_head.json`, read with
allow_pickle=False):
- the head: logistic regression on the embedding, with a second copy of the embedding that only
  counts when the text names the monitored brand (brand-level tone, as in the linear model);
- the stacker: logistic regression on the head's logits and the linear model's log-probabilities
  (and a copy of both for texts naming the brand, where the linear model's brand features know
  more), fitted on held-out rows neither had trained on. It decides how far to trust each and is
  what calibrates the final probabilities.
`negative_threshold` is the operating point: a text is labelled negative once its calibrated
probability of being negative reaches it (below 0.5: a missed complaint costs more than a false
alarm).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sentiment.encoder import DIM, encoder_name
from sentiment.errors import SentimentError
from sentiment.linear import MODEL_DIR
from sentiment.records import LABELS

FORMAT = "otklik-encoder-head-2"


def stack_features(
    head_logits: np.ndarray, linear_proba: np.ndarray, branded: np.ndarray
) -> np.ndarray:
    """What the stacker reads: head logits and linear log-probabilities, the same again where
    the text names the brand, and the brand flag itself."""
    both = np.hstack([head_logits, np.log(np.clip(linear_proba, 1e-6, 1.0))])
    return np.hstack([both, both * branded[:, None], branded[:, None]])


@dataclass(slots=True)
class EncoderHead:
    classes: tuple[str, ...]
    weights: np.ndarray  # (DIM, classes)
    brand_weights: np.ndarray  # (DIM, classes): extra when the text names the brand
    bias: np.ndarray  # (classes,)
    stack_weights: np.ndarray  # (4 * classes + 1, classes): see `stack_features`
    stack_bias: np.ndarray  # (classes,)
    negative_threshold: float
    meta: dict[str, object]

    def head_logits(self, embeddings: np.ndarray, branded: np.ndarray) -> np.ndarray:
        logits: np.ndarray = (
            embeddings @ self.weights
            + (embeddings * branded[:, None]) @ self.brand_weights
            + self.bias
        )
        return logits

    def predict_proba(
        self, embeddings: np.ndarray, branded: np.ndarray, linear_proba: np.ndarray
    ) -> np.ndarray:
        """Calibrated probabilities (texts × classes, `self.classes` order); `linear_proba` in
        the same column order."""
        stacked = stack_features(self.head_logits(embeddings, branded), linear_proba, branded)
        logits = stacked @ self.stack_weights + self.stack_bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        proba: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
        return proba

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            folder / "encoder_head.npz",
            weights=self.weights.astype(np.float32),
            brand_weights=self.brand_weights.astype(np.float32),
            bias=self.bias.astype(np.float32),
            stack_weights=self.stack_weights.astype(np.float32),
            stack_bias=self.stack_bias.astype(np.float32),
        )
        meta = {
            "format": FORMAT,
            "encoder": encoder_name(),
            "classes": list(self.classes),
            "negative_threshold": self.negative_threshold,
            **self.meta,
        }
        (folder / "encoder_head.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path = MODEL_DIR) -> EncoderHead:
        try:
            meta = json.loads((folder / "encoder_head.json").read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT or meta.get("encoder") != encoder_name():
                raise SentimentError(
                    f"{folder}: encoder head {meta.get('format')!r} for "
                    f"{meta.get('encoder')!r} does not fit {encoder_name()}"
                )
            with np.load(folder / "encoder_head.npz", allow_pickle=False) as data:
                arrays = {k: data[k].astype(np.float32) for k in data.files}
            classes = tuple(meta.pop("classes"))
            threshold = float(meta.pop("negative_threshold"))
            head = cls(
                classes,
                arrays["weights"],
                arrays["brand_weights"],
                arrays["bias"],
                arrays["stack_weights"],
                arrays["stack_bias"],
                threshold,
                meta,
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SentimentError(f"cannot read the encoder head in {folder}: {exc}") from exc
        k = len(classes)
        if (
            set(classes) != set(LABELS)
            or head.weights.shape != (DIM, k)
            or head.stack_weights.shape != (4 * k + 1, k)
        ):
            raise SentimentError(f"{folder}: encoder head shape does not fit {LABELS}")
        return head
