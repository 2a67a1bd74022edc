"""Train the bundled model: `python -m sentiment.train [--data DIR] [--corrections FILE] [--out DIR]`.

Deterministic: the same data gives the same model file. Needs scikit-learn and scipy (the
`train` extra); the result runs with numpy only. Reads only the *_train files and the English
sets listed in TRAIN_FILES from the shared data folder, never its test files or test-only/.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sentiment.embeddings import WordVectors, load_navec
from sentiment.errors import SentimentError
from sentiment.features import Vectorizer, analyze, word_average
from sentiment.linear import MODEL_DIR, LinearModel
from sentiment.records import LABELS
from sentiment.text import BRAND_TOKEN, normalize, words

logger = logging.getLogger(__name__)

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "sentiment"
TRAIN_FILES = (
    "rusentitweet_train.jsonl",
    "sentirueval2015_banks_train.jsonl",
    "sentirueval2015_telecoms_train.jsonl",
    "sentirueval2015_restaurant_reviews_train.jsonl",
    "sentirueval2015_car_reviews_train.jsonl",
    "tweeteval_val_en.jsonl",
    "uci_amazon_en.jsonl",
    "uci_yelp_en.jsonl",
)
# A person's correction outweighs a crowd-labelled tweet: it is about this very business.
CORRECTION_WEIGHT = 3.0
DEFAULT_C = 3.0
DEFAULT_MIN_DF = 3
# How strongly the averaged word vectors speak beside the n-grams (they share one C).
EMBEDDING_SCALE = 1.0
# Words shipped with their vector-learned weights: the commonest Navec words, plus every word of
# the training texts. Rarer words add size for little: they seldom occur in a review.
SHIPPED_WORDS = 100_000


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str
    brand: str | None = None
    weight: float = 1.0
    rating: float | None = None  # the reviewer's 1–5 stars where the file has them


def read_jsonl(path: Path, weight: float = 1.0) -> list[Example]:
    """Labelled rows of a JSON-lines file; rows without one of our three labels ("mixed",
    "absence") are left out of training, and a broken line is an error naming the line."""
    examples = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text, label = str(row["text"]), str(row["label"])
            except (ValueError, KeyError, TypeError) as exc:
                raise SentimentError(f"{path}:{number}: not a labelled JSON row ({exc})") from exc
            if label in LABELS:
                brand = row.get("brand") or row.get("entity") or None
                rating = row.get("rating")
                rating = float(rating) if isinstance(rating, int | float) else None
                examples.append(Example(text, label, brand, weight, rating))
    return examples


def load_training_data(data_dir: Path, files: Sequence[str] = TRAIN_FILES) -> list[Example]:
    present = [data_dir / name for name in files if (data_dir / name).is_file()]
    if not present:
        raise SentimentError(f"no training files found in {data_dir}")
    examples: list[Example] = []
    for path in present:
        examples.extend(read_jsonl(path))
        logger.info("read %s", path.name)
    return examples


def train(
    examples: Iterable[Example],
    *,
    c: float = DEFAULT_C,
    min_df: int = DEFAULT_MIN_DF,
    vectors: WordVectors | None = None,
) -> LinearModel:
    """Fit the tf-idf + word-vector logistic regression with brand-domain feature copies."""
    from scipy.sparse import csr_matrix, diags, hstack
    from sklearn.linear_model import LogisticRegression

    rows = list(examples)
    if len({r.label for r in rows}) < 2:
        raise SentimentError("training needs examples of at least two labels")
    if vectors is None:
        vectors = load_navec()
    tokens = [words(normalize(r.text, r.brand)) for r in rows]
    grams = [analyze(t) for t in tokens]
    vectorizer = Vectorizer.fit(grams, min_df=min_df)
    indptr, indices, values = vectorizer.transform(grams)
    n_features = len(vectorizer.vocabulary)
    base = csr_matrix((values, indices, indptr), shape=(len(rows), n_features))
    index = vectors.index()
    a_ptr, a_idx, a_val = word_average(tokens, index)
    averaging = csr_matrix((a_val, a_idx, a_ptr), shape=(len(rows), len(vectors.words)))
    averaged = csr_matrix(averaging @ vectors.vectors * EMBEDDING_SCALE)
    is_branded = np.array([BRAND_TOKEN in t for t in tokens], dtype=np.float64)
    branded = diags(is_branded)
    matrix = hstack(
        [base, branded @ base, csr_matrix(is_branded[:, None]), averaged, branded @ averaged]
    ).tocsr()
    labels = np.array([r.label for r in rows])
    weights = np.array([r.weight for r in rows])
    model = LogisticRegression(C=c, max_iter=3000, tol=1e-5)
    model.fit(matrix, labels, sample_weight=weights)
    classes = tuple(str(k) for k in model.classes_)
    coef = model.coef_.T  # (features, classes)
    bias = model.intercept_.copy()
    if len(classes) == 2:  # binary LR keeps one column: expand to both classes
        coef = np.hstack([-coef / 2, coef / 2])
        bias = np.array([-bias[0] / 2, bias[0] / 2])
    missing = [k for k in LABELS if k not in classes]
    if missing:
        coef = np.hstack([coef, np.full((coef.shape[0], len(missing)), 0.0)])
        bias = np.concatenate([bias, np.full(len(missing), -20.0)])
        classes = classes + tuple(missing)
    dims = vectors.vectors.shape[1]
    start = 2 * n_features + 1
    keep = _shipped_words(vectors, a_idx)
    shipped = vectors.vectors[keep] * EMBEDDING_SCALE
    return LinearModel(
        vectorizer=vectorizer,
        classes=classes,
        weights=coef[:n_features],
        brand_weights=coef[n_features : 2 * n_features],
        bias=bias,
        brand_bias=coef[2 * n_features],
        word_index={vectors.words[k]: i for i, k in enumerate(keep)},
        word_weights=shipped @ coef[start : start + dims],
        word_brand_weights=shipped @ coef[start + dims : start + 2 * dims],
        meta={
            "examples": len(rows),
            "features": n_features,
            "words": len(keep),
            "C": c,
            "min_df": min_df,
        },
    )


def _shipped_words(vectors: WordVectors, seen: np.ndarray) -> np.ndarray:
    """Row numbers of the words to ship, in word order: the commonest ones and all seen ones."""
    common = np.argsort(-vectors.counts, kind="stable")[:SHIPPED_WORDS]
    return np.union1d(common, seen)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the bundled sentiment model.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled data folder")
    parser.add_argument(
        "--corrections", type=Path, help="JSON lines of corrected labels (text, label, brand?)"
    )
    parser.add_argument("--out", type=Path, default=MODEL_DIR, help="where to write the model")
    parser.add_argument("-C", type=float, default=DEFAULT_C, help="inverse regularisation")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        count = run_training(args.data, args.out, args.corrections, c=args.C)
    except SentimentError as exc:
        print(f"train: {exc}", file=sys.stderr)
        return 2
    print(f"trained on {count} examples, model written to {args.out}")
    return 0


def run_training(
    data: Path,
    out: Path,
    corrections: Path | None = None,
    *,
    extra: Sequence[Example] = (),
    c: float = DEFAULT_C,
) -> int:
    """Train on the data folder plus corrections and write the model; returns example count."""
    examples = load_training_data(data)
    if corrections is not None:
        examples.extend(read_jsonl(corrections, weight=CORRECTION_WEIGHT))
    examples.extend(extra)
    started = time.perf_counter()
    model = train(examples, c=c)
    model.save(out)
    logger.info("trained in %.0f s", time.perf_counter() - started)
    return len(examples)


if __name__ == "__main__":
    raise SystemExit(main())
