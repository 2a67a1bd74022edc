"""Sparse text features: word uni/bigrams and in-word character 2–5-grams, tf-idf weighted,
and the averaging of per-word rows that brings in what pretrained word vectors know.

Training and inference share this module, so a feature means the same thing in both. A text
becomes (indices, values) over a fixed vocabulary; nothing here needs scipy or scikit-learn.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

CHAR_MIN, CHAR_MAX = 2, 5
# Prefixes keep the three feature families apart in one vocabulary.
WORD, BIGRAM, CHAR = "w:", "b:", "c:"


def word_grams(tokens: Sequence[str]) -> Counter[str]:
    grams: Counter[str] = Counter(WORD + t for t in tokens)
    grams.update(f"{BIGRAM}{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))
    return grams


def char_grams(tokens: Sequence[str]) -> Counter[str]:
    grams: Counter[str] = Counter()
    for token in tokens:
        padded = f" {token} "
        size = len(padded)
        for n in range(CHAR_MIN, min(CHAR_MAX, size) + 1):
            grams.update(CHAR + padded[i : i + n] for i in range(size - n + 1))
    return grams


def analyze(tokens: Sequence[str]) -> tuple[Counter[str], Counter[str]]:
    """The word-level and character-level gram counts of a normalised text's tokens."""
    return word_grams(tokens), char_grams(tokens)


@dataclass(slots=True)
class Vectorizer:
    """Vocabulary and idf of each feature block; each block is l2-normalised on its own so
    long texts and short tweets weigh the same."""

    vocabulary: dict[str, int]
    idf: np.ndarray  # float32, one per vocabulary entry

    @classmethod
    def fit(cls, docs: Iterable[tuple[Counter[str], Counter[str]]], min_df: int = 2) -> Vectorizer:
        df: Counter[str] = Counter()
        n_docs = 0
        for word_counts, char_counts in docs:
            n_docs += 1
            df.update(word_counts.keys())
            df.update(char_counts.keys())
        kept = sorted(g for g, count in df.items() if count >= min_df)
        vocabulary = {g: i for i, g in enumerate(kept)}
        idf = np.array([math.log((1 + n_docs) / (1 + df[g])) + 1.0 for g in kept], dtype=np.float32)
        return cls(vocabulary, idf)

    def transform_one(
        self, word_counts: Counter[str], char_counts: Counter[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        indices: list[int] = []
        values: list[float] = []
        for counts in (word_counts, char_counts):
            block_idx: list[int] = []
            block_tf: list[float] = []
            get = self.vocabulary.get
            for gram, count in counts.items():
                index = get(gram)
                if index is not None:
                    block_idx.append(index)
                    block_tf.append(1.0 + math.log(count))
            if not block_idx:
                continue
            idx = np.array(block_idx, dtype=np.int64)
            val = np.array(block_tf, dtype=np.float32) * self.idf[idx]
            val /= np.linalg.norm(val) or 1.0
            indices.extend(block_idx)
            values.extend(val.tolist())
        return np.array(indices, dtype=np.int64), np.array(values, dtype=np.float32)

    def transform(
        self, docs: Iterable[tuple[Counter[str], Counter[str]]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR parts (indptr, indices, values) for many documents."""
        indptr = [0]
        all_idx: list[np.ndarray] = []
        all_val: list[np.ndarray] = []
        for word_counts, char_counts in docs:
            idx, val = self.transform_one(word_counts, char_counts)
            all_idx.append(idx)
            all_val.append(val)
            indptr.append(indptr[-1] + len(idx))
        indices = np.concatenate(all_idx) if all_idx else np.zeros(0, dtype=np.int64)
        values = np.concatenate(all_val) if all_val else np.zeros(0, dtype=np.float32)
        return np.array(indptr, dtype=np.int64), indices, values


def word_average(
    docs: Iterable[Sequence[str]], index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR parts of the matrix that averages per-word rows over the known words of each
    document (every occurrence counts); a document with no known word gets an empty row."""
    indptr = [0]
    all_idx: list[int] = []
    all_val: list[float] = []
    for tokens in docs:
        found = [i for i in map(index.get, tokens) if i is not None]
        if found:
            all_idx.extend(found)
            all_val.extend([1.0 / len(found)] * len(found))
        indptr.append(len(all_idx))
    return (
        np.array(indptr, dtype=np.int64),
        np.array(all_idx, dtype=np.int64),
        np.array(all_val, dtype=np.float32),
    )
