"""The transformers backend with a tiny BERT the test builds and saves: no network."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiment import TextInput, load_classifier
from sentiment.hf import map_id2label, map_label_name

torch = pytest.importorskip("torch", reason="transformers extra not installed (torch)")
transformers = pytest.importorskip("transformers", reason="transformers extra not installed")

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "хорошо", "плохо", "good", "bad", "очень"]


def tiny_model(folder: Path, id2label: dict[int, str], winner: int) -> Path:
    """A BERT whose classifier head always prefers class `winner`."""
    (folder).mkdir(parents=True, exist_ok=True)
    vocab_file = folder / "vocab.txt"
    vocab_file.write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizer(str(vocab_file), do_lower_case=True)
    config = transformers.BertConfig(
        vocab_size=len(VOCAB),
        hidden_size=8,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=16,
        max_position_embeddings=64,
        num_labels=len(id2label),
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
    )
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.zero_()
        model.classifier.bias[winner] = 6.0
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.mark.parametrize(
    ("id2label", "winner", "expected"),
    [
        ({0: "NEGATIVE", 1: "Neutral", 2: "позитив"}, 2, "positive"),
        ({0: "positive", 1: "negative"}, 1, "negative"),
        ({0: "neutral", 1: "positive", 2: "negative"}, 0, "neutral"),
        ({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, 0, "negative"),
    ],
)
async def test_tiny_model_labels_map_through_id2label(
    tmp_path: Path, id2label: dict[int, str], winner: int, expected: str
) -> None:
    folder = tiny_model(tmp_path / "model", id2label, winner)
    classifier = load_classifier(str(folder))
    assert classifier.name.startswith("transformers:")
    assert classifier.fallback_reason is None
    results = await classifier.classify(
        [TextInput("очень хорошо"), TextInput(""), TextInput("bad " * 20000, rating=3)]
    )
    assert len(results) == 3  # the 80,000-character text is cut, not dropped
    assert [r.label for r in results[:2]] == [expected, expected]
    assert results[0].score > 0.9
    assert set(results[0].scores) == {"positive", "neutral", "negative"}


async def test_stars_and_touchpoints_apply_to_transformers(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "model", {0: "negative", 1: "positive"}, 1)
    classifier = load_classifier(str(folder))
    (result,) = await classifier.classify([TextInput("Официант хорошо", rating=1)])
    assert (result.label, result.needs_review) == ("negative", True)
    assert [t.tag for t in result.touchpoints] == ["staff"]


def test_unmappable_labels_fall_back_with_reason(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "model", {0: "sports", 1: "politics", 2: "LABEL_2"}, 0)
    classifier = load_classifier(str(folder))
    assert classifier.name == "linear"
    assert "politics" in (classifier.fallback_reason or "")


def test_label_names() -> None:
    assert map_label_name("POSITIVE") == "positive"
    assert map_label_name("Негативный") == "negative"
    assert map_label_name("1 star") == "negative"
    assert map_id2label({0: "LABEL_0", 1: "LABEL_1"}) == {0: "negative", 1: "positive"}
