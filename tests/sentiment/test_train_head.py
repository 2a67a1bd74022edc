"""Training the encoder head (needs the train extra): a small data folder trains, embeds through
the cache, saves a head that loads back and classifies, and the same data gives the same head."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sentiment.head import EncoderHead
from sentiment.train_head import build

pytest.importorskip("sklearn", reason="training needs the train extra (scikit-learn)")
pytest.importorskip("navec", reason="training needs the train extra (natasha's word vectors)")

WORDS = {
    "positive": ["отлично", "спасибо", "прекрасно", "great", "love"],
    "neutral": ["открылся", "отчёт", "в понедельник", "the branch", "opens"],
    "negative": ["ужасно", "хамство", "обман", "terrible", "awful"],
}


def write_data(folder: Path) -> Path:
    folder.mkdir()
    lines = []
    for label, words in WORDS.items():
        for i in range(60):
            text = f"{words[i % 5]} {words[(i + 2) % 5]} номер {i}"
            lines.append(json.dumps({"text": text, "label": label}, ensure_ascii=False))
    (folder / "rusentitweet_train.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_head_trains_loads_and_is_deterministic(tmp_path: Path) -> None:
    data = write_data(tmp_path / "data")
    cache = tmp_path / "cache" / "e5"
    first, report = build(data, cache)
    second, _ = build(data, cache)
    assert np.array_equal(first.weights, second.weights)
    assert np.array_equal(first.stack_weights, second.stack_weights)
    assert report["rows"] == 180 and 0 < report["held_out"] < 180
    assert 0.2 <= first.negative_threshold <= 0.6
    first.save(tmp_path / "model")
    loaded = EncoderHead.load(tmp_path / "model")
    assert np.allclose(loaded.stack_weights, first.stack_weights, atol=1e-6)
    assert any(cache.glob("*.npz"))  # embeddings kept for the next run
