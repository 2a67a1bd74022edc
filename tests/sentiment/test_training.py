"""Training (needs the train extra): a small sample trains, saves and loads back to the same
predictions, words unseen in training speak through their vectors, and the result is
deterministic."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sentiment.bundled import BundledClassifier
from sentiment.embeddings import WordVectors, load_navec
from sentiment.linear import LinearModel
from sentiment.train import Example, run_training, train

pytest.importorskip("sklearn", reason="training needs the train extra (scikit-learn)")
pytest.importorskip("navec", reason="training needs the train extra (natasha's word vectors)")

SAMPLE = [
    Example("Отличный сервис, всем рекомендую", "positive"),
    Example("Прекрасно, спасибо большое!", "positive"),
    Example("Great food, loved it", "positive"),
    Example("Ужасно, больше не приду", "negative"),
    Example("Хамство и грязь, кошмар", "negative"),
    Example("Terrible, never again", "negative"),
    Example("Открылись в понедельник", "neutral"),
    Example("Банк опубликовал отчёт", "neutral", brand="sberbank"),
    Example("The shop opens at nine", "neutral"),
]


def test_small_sample_trains_saves_and_loads_identically(tmp_path: Path) -> None:
    model = train(SAMPLE * 3, min_df=1)
    model.save(tmp_path / "model")
    loaded = LinearModel.load(tmp_path / "model")
    texts = ["Отличный сервис", "Ужасно и грязно", "Сбербанк открылся", ""]
    brands = [None, None, "sberbank", None]
    before, after = model.predict_proba(texts, brands), loaded.predict_proba(texts, brands)
    # float16 weights on disk: same labels, probabilities within rounding
    assert np.allclose(before, after, atol=2e-3)
    assert list(after.argmax(1)) == list(before.argmax(1))
    assert [loaded.classes[i] for i in after.argmax(1)[:2]] == ["positive", "negative"]


def test_words_never_seen_in_training_speak_through_their_vectors() -> None:
    """ "зашибись" and "отвратно" are in no training text, and share no letters with the words
    that are; their vectors sit next to "хорошо" and "плохо", so they take those words' tone."""
    vectors = WordVectors(
        words=("зашибись", "отвратно", "плохо", "хорошо"),
        vectors=np.array([[1, 0], [0, 1], [0, 1], [1, 0]], dtype=np.float32),
        counts=np.array([5, 5, 50, 50]),
    )
    sample = [
        Example("хорошо", "positive"),
        Example("всё хорошо", "positive"),
        Example("плохо", "negative"),
        Example("всё плохо", "negative"),
    ]
    model = train(sample * 3, min_df=1, vectors=vectors)
    assert set(model.word_index) == {"зашибись", "отвратно", "плохо", "хорошо"}
    probs = model.predict_proba(["зашибись", "отвратно", "ы"], [None] * 3)
    labels = [model.classes[i] for i in probs.argmax(1)]
    assert labels[:2] == ["positive", "negative"]
    # a text with no known word gets no push from the vectors either way
    assert abs(probs[2, model.classes.index("positive")] - 0.5) < 0.1


def test_navec_vectors_load_as_unit_rows_in_normalised_spelling() -> None:
    vectors = load_navec()
    index = vectors.index()
    assert len(vectors.words) > 200_000
    assert np.allclose(np.linalg.norm(vectors.vectors[:1000], axis=1), 1.0, atol=1e-4)
    assert "елка" in index and "ёлка" not in index

    def similarity(a: str, b: str) -> float:
        return float(vectors.vectors[index[a]] @ vectors.vectors[index[b]])

    assert similarity("отличный", "прекрасный") > similarity("отличный", "трактор")


def test_training_is_deterministic(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with (data / "rusentitweet_train.jsonl").open("w", encoding="utf-8") as handle:
        for example in SAMPLE * 2:
            handle.write(json.dumps({"text": example.text, "label": example.label}) + "\n")
    corrections = tmp_path / "corrections.jsonl"
    corrections.write_text(
        json.dumps({"text": "Курьер опоздал", "label": "negative"}) + "\n", encoding="utf-8"
    )
    for out in ("a", "b"):
        assert run_training(data, tmp_path / out, corrections) == len(SAMPLE) * 2 + 1
    a = (tmp_path / "a" / "weights.npz").read_bytes()
    assert a == (tmp_path / "b" / "weights.npz").read_bytes()
    assert BundledClassifier(tmp_path / "a").model.meta["examples"] == len(SAMPLE) * 2 + 1
