"""Train the encoder head: `python -m sentiment.train_head [--data DIR] [--out DIR]`.

Reads the seeded sample of the shared training files (`sentiment/head_data.py`), embeds what the
cache outside the repository does not hold yet, fits the head on four rows in five and, on the
fifth (held out), the stacker with the linear model, the calibration check and the operating
point. Every fit and every choice weighs the rows back to each file's own label mix
(`natural_weights`): the sample is even across labels, the texts Otklik reads are not. The
linear model used beside the head here is one trained without the held-out rows, so its
probabilities there are honest; the shipped one is the bundled model in `sentiment/model/`.
Deterministic: the same data gives the same file. Needs the `train` extra.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from common.vocabulary import Label
from sentiment.embedding_cache import DEFAULT_CACHE, EmbeddingCache
from sentiment.encoder import Encoder
from sentiment.errors import SentimentError
from sentiment.head import EncoderHead, stack_features
from sentiment.head_data import Sampled, held_out, natural_weights, sample
from sentiment.linear import MODEL_DIR, LinearModel
from sentiment.records import LABELS
from sentiment.text import branded_flags
from sentiment.train import DEFAULT_DATA, TRAIN_FILES, load_training_data, train

logger = logging.getLogger(__name__)

# Regularisation of the head, chosen by the held-out rows' macro-F1.
HEAD_C_GRID = (1.0, 4.0, 16.0)
# Regularisation of the stacker, chosen by out-of-fold macro-F1 on the held-out rows.
STACK_C_GRID = (0.3, 1.0, 3.0)
# A missed complaint costs this many false alarms: the operating point for negatives minimises
# MISSED_COST × missed + false alarms on the held-out rows.
MISSED_COST = 2.0
CALIBRATION_BINS = 10
FOLDS = 5


def heldout_free_linear(data: Path, cache: Path) -> LinearModel:
    """The linear model trained on its usual files less the held-out rows, kept in the cache
    (it takes minutes and the word vectors) under the hash of those files."""
    digest = hashlib.sha1()
    for name in TRAIN_FILES:
        path = data / name
        if path.is_file():
            digest.update(path.read_bytes())
    folder = cache.parent / f"linear-heldout-free-{digest.hexdigest()[:16]}"
    if (folder / "model.json").is_file():
        return LinearModel.load(folder)
    logger.info("training the linear model without the held-out rows")
    rows = [r for r in load_training_data(data) if not held_out(r.text)]
    train(rows).save(folder)
    # Read back, so a fresh run and a cached one see the same (float16-stored) weights.
    return LinearModel.load(folder)


def _fit_lr(
    x: np.ndarray, y: np.ndarray, c: float, weight: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=3000, tol=1e-6).fit(x, y, sample_weight=weight)
    assert tuple(model.classes_) == tuple(range(len(LABELS)))
    return model.coef_.T.copy(), model.intercept_.copy()


def _softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    proba: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return proba


def _weights(gold: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
    return np.ones(len(gold)) if weight is None else weight


def macro_f1(gold: np.ndarray, pred: np.ndarray, weight: np.ndarray | None = None) -> float:
    w = _weights(gold, weight)
    scores = []
    for k in np.unique(gold):
        tp = np.sum(w * ((gold == k) & (pred == k)))
        if tp == 0:
            scores.append(0.0)
            continue
        precision, recall = tp / np.sum(w * (pred == k)), tp / np.sum(w * (gold == k))
        scores.append(2 * precision * recall / (precision + recall))
    return float(np.mean(scores))


def calibration_error(
    proba: np.ndarray, gold: np.ndarray, weight: np.ndarray | None = None
) -> float:
    """Expected calibration error of the top label, in equal-width confidence bins."""
    w = _weights(gold, weight)
    confidence, predicted = proba.max(axis=1), proba.argmax(axis=1)
    edges = np.linspace(0, 1, CALIBRATION_BINS + 1)
    error = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            right = np.average(predicted[inside] == gold[inside], weights=w[inside])
            gap = abs(right - np.average(confidence[inside], weights=w[inside]))
            error += w[inside].sum() / w.sum() * gap
    return float(error)


def decide(proba: np.ndarray, threshold: float) -> np.ndarray:
    """Labels: negative once its probability reaches `threshold`, else the likelier of the rest."""
    negative = LABELS.index("negative")
    rest = proba.copy()
    rest[:, negative] = -1.0
    return np.where(proba[:, negative] >= threshold, negative, rest.argmax(axis=1))


def choose_threshold(
    proba: np.ndarray, gold: np.ndarray, weight: np.ndarray | None = None
) -> float:
    w = _weights(gold, weight)
    negative = LABELS.index("negative")
    best, best_cost = 0.5, float("inf")
    for t in np.round(np.arange(0.20, 0.61, 0.025), 3):
        said = proba[:, negative] >= t
        missed = np.sum(w * (~said & (gold == negative)))
        cost = MISSED_COST * missed + np.sum(w * (said & (gold != negative)))
        if cost < best_cost:
            best, best_cost = float(t), float(cost)
    return best


def build(data: Path, cache_dir: Path = DEFAULT_CACHE) -> tuple[EncoderHead, dict[str, object]]:
    rows = sample(data)
    if not rows:
        raise SentimentError(f"no training files found in {data}")
    cache = EmbeddingCache(cache_dir)
    todo = cache.missing([r.example.text for r in rows])
    if todo:
        logger.info("embedding %d texts not in the cache %s", len(todo), cache_dir)
        encoder = Encoder()
        cache.fill(todo, encoder.embed_prepared, lambda d, n: logger.info("embedded %d/%d", d, n))
    x = cache.lookup([r.example.text for r in rows]).astype(np.float64)
    brand = branded_flags([r.example.text for r in rows], [r.example.brand for r in rows])
    y = np.array([LABELS.index(Label(r.example.label)) for r in rows])
    held = np.array([r.held_out for r in rows])
    weight = np.array(natural_weights(rows, data))
    features = np.hstack([x, x * brand[:, None]])
    fits = {c: _fit_lr(features[~held], y[~held], c, weight[~held]) for c in HEAD_C_GRID}
    scored = {
        c: macro_f1(y[held], (features[held] @ w + b).argmax(1), weight[held])
        for c, (w, b) in fits.items()
    }
    head_c = max(HEAD_C_GRID, key=scored.__getitem__)
    weights, bias = fits[head_c]
    dim = x.shape[1]

    linear = heldout_free_linear(data, cache_dir)
    held_rows = [r for r, h in zip(rows, held, strict=True) if h]
    order = [linear.classes.index(k) for k in LABELS]
    linear_proba = linear.predict_proba(
        [r.example.text for r in held_rows], [r.example.brand for r in held_rows]
    )[:, order]
    head_logits = features[held] @ weights + bias
    stack_x = stack_features(head_logits, linear_proba, brand[held])
    gold, held_weight = y[held], weight[held]

    # Out-of-fold stacked probabilities on the held-out rows: the stacker's C, the calibration
    # and the operating point are judged on rows the stacker did not fit.
    fold = np.arange(len(gold)) % FOLDS
    out_of_fold = {c: _out_of_fold(stack_x, gold, fold, c, held_weight) for c in STACK_C_GRID}
    stack_c = max(STACK_C_GRID, key=lambda c: macro_f1(gold, out_of_fold[c].argmax(1), held_weight))
    oof = out_of_fold[stack_c]
    stack_w, stack_b = _fit_lr(stack_x, gold, stack_c, held_weight)
    threshold = choose_threshold(oof, gold, held_weight)

    head_proba = _softmax(head_logits)
    report: dict[str, object] = {
        "rows": len(rows),
        "held_out": int(held.sum()),
        "head_C": head_c,
        "stack_C": stack_c,
        "head_macro_f1_by_C": {str(c): round(v, 4) for c, v in scored.items()},
        # Weighted to each file's own label mix, as every choice here is.
        "held_out_macro_f1": {
            "linear": round(macro_f1(gold, linear_proba.argmax(1), held_weight), 4),
            "head": round(macro_f1(gold, head_proba.argmax(1), held_weight), 4),
            "stacked": round(macro_f1(gold, oof.argmax(1), held_weight), 4),
            "stacked_at_threshold": round(macro_f1(gold, decide(oof, threshold), held_weight), 4),
        },
        "held_out_macro_f1_unweighted": {
            "linear": round(macro_f1(gold, linear_proba.argmax(1)), 4),
            "stacked": round(macro_f1(gold, oof.argmax(1)), 4),
        },
        "calibration_error": {
            "linear": round(calibration_error(linear_proba, gold, held_weight), 4),
            "head": round(calibration_error(head_proba, gold, held_weight), 4),
            "stacked": round(calibration_error(oof, gold, held_weight), 4),
        },
        "negative_threshold": threshold,
        "negative_recall_precision": _recall_precision(decide(oof, threshold), gold, held_weight),
        "negative_recall_precision_at_argmax": _recall_precision(oof.argmax(1), gold, held_weight),
        "held_out_macro_f1_by_file": _by_file(held_rows, gold, linear_proba, oof, held_weight),
    }
    head = EncoderHead(
        classes=LABELS,
        weights=weights[:dim],
        brand_weights=weights[dim:],
        bias=bias,
        stack_weights=stack_w,
        stack_bias=stack_b,
        negative_threshold=threshold,
        meta={
            "rows": len(rows),
            "held_out": int(held.sum()),
            "head_C": head_c,
            "stack_C": stack_c,
            "missed_cost": MISSED_COST,
            "row_weights": "each file's own label mix",
            "calibration_error": report["calibration_error"],
        },
    )
    return head, report


def _out_of_fold(
    x: np.ndarray, y: np.ndarray, fold: np.ndarray, c: float, weight: np.ndarray
) -> np.ndarray:
    out = np.zeros((len(y), len(LABELS)))
    for k in range(FOLDS):
        w, b = _fit_lr(x[fold != k], y[fold != k], c, weight[fold != k])
        out[fold == k] = _softmax(x[fold == k] @ w + b)
    return out


def _recall_precision(pred: np.ndarray, gold: np.ndarray, weight: np.ndarray) -> dict[str, float]:
    negative = LABELS.index("negative")
    tp = np.sum(weight * ((pred == negative) & (gold == negative)))
    return {
        "recall": round(float(tp / max(np.sum(weight * (gold == negative)), 1e-9)), 4),
        "precision": round(float(tp / max(np.sum(weight * (pred == negative)), 1e-9)), 4),
    }


def _by_file(
    rows: Sequence[Sampled],
    gold: np.ndarray,
    linear: np.ndarray,
    stacked: np.ndarray,
    weight: np.ndarray,
) -> dict[str, dict[str, float]]:
    index: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        index[row.source].append(i)
    return {
        name: {
            "n": len(ix),
            "linear": round(macro_f1(gold[ix], linear[ix].argmax(1), weight[ix]), 4),
            "stacked": round(macro_f1(gold[ix], stacked[ix].argmax(1), weight[ix]), 4),
        }
        for name, ix in sorted(index.items())
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the encoder head of the bundled model.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled data folder")
    parser.add_argument("--out", type=Path, default=MODEL_DIR, help="where to write the head")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="embedding cache")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.perf_counter()
    try:
        head, report = build(args.data, args.cache)
    except SentimentError as exc:
        print(f"train_head: {exc}", file=sys.stderr)
        return 2
    head.save(args.out)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    print(f"head written to {args.out} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
