"""How the project scores a classifier on labelled texts, the same in the bench and in the floor
tests: F1 per label, macro-F1 over the labels a file has, the mean F1 of positive and negative
(review sets whose labels came from 1/2/5 stars have no neutral class), and the seeded sample
of a test file that both read."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

from sentiment.records import LABELS

Row = TypeVar("Row")


def f1(gold: Sequence[str], pred: Sequence[str], label: str) -> float:
    tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
    return 2 * tp / (list(pred).count(label) + list(gold).count(label)) if tp else 0.0


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    present = [label for label in LABELS if label in gold]
    return sum(f1(gold, pred, label) for label in present) / len(present)


def f1_pos_neg(gold: Sequence[str], pred: Sequence[str]) -> float:
    return (f1(gold, pred, "positive") + f1(gold, pred, "negative")) / 2


def seeded_sample(name: str, rows: Sequence[Row], size: int) -> list[Row]:
    """`size` rows of a test file in a fixed random choice named by the file, in file order; a
    smaller size takes the first rows of a larger one's choice."""
    if len(rows) <= size:
        return list(rows)
    order = list(range(len(rows)))
    random.Random(f"bench:{name}").shuffle(order)
    return [rows[i] for i in sorted(order[:size])]
