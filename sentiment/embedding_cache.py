"""Embeddings of training and benchmark texts kept outside the repository, so that retraining
and re-measuring do not pay for the encoder again (it reads about ten reviews a second per core).

The cache is a folder of npz shards (`keys`: sha1 of encoder + prefix + prepared text, `vectors`:
float16), written whole and renamed into place, so an interrupted run keeps what it finished and
two runs can fill the same folder.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from sentiment.encoder import CACHE_ROOT, DIM, cache_key, prepare

logger = logging.getLogger(__name__)

DEFAULT_CACHE = CACHE_ROOT / "e5"
CHUNK = 64


class EmbeddingCache:
    def __init__(self, folder: Path = DEFAULT_CACHE) -> None:
        self.folder = folder
        self._known: dict[str, np.ndarray] = {}
        self._read_shards: set[str] = set()

    def refresh(self) -> None:
        """Read shards written since the last look (by this run or another)."""
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob("*.npz")):
            if path.name in self._read_shards:
                continue
            with np.load(path, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
            for key, vector in zip(keys, vectors, strict=True):
                self._known[key.decode("ascii")] = vector
            self._read_shards.add(path.name)

    def missing(self, texts: Sequence[str]) -> list[str]:
        """Distinct prepared texts without a cached embedding, in first-seen order."""
        self.refresh()
        seen: dict[str, None] = {}
        for text in texts:
            prepared = prepare(text) or "."
            if cache_key(prepared) not in self._known:
                seen.setdefault(prepared)
        return list(seen)

    def fill(
        self,
        texts: Sequence[str],
        embed: Callable[[Sequence[str]], np.ndarray],
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Embed whatever of `texts` is not cached yet, a shard per chunk; `embed` gets
        prepared texts (`Encoder.embed_prepared`)."""
        todo = self.missing(texts)
        self.folder.mkdir(parents=True, exist_ok=True)
        for start in range(0, len(todo), CHUNK):
            chunk = todo[start : start + CHUNK]
            vectors = embed(chunk).astype(np.float16)
            keys = np.array([cache_key(t).encode("ascii") for t in chunk])
            name = f"{time.time_ns()}-{os.getpid()}"
            partial = self.folder / f"{name}.part.npz"
            np.savez(partial, keys=keys, vectors=vectors)
            partial.rename(self.folder / f"{name}.npz")
            self._read_shards.add(f"{name}.npz")
            for key, vector in zip(keys, vectors, strict=True):
                self._known[key.decode("ascii")] = vector
            if progress is not None:
                progress(min(start + CHUNK, len(todo)), len(todo))

    def lookup(self, texts: Sequence[str]) -> np.ndarray:
        """Cached embeddings of `texts` (texts × DIM, float32); every text must be cached."""
        self.refresh()
        out = np.empty((len(texts), DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = self._known[cache_key(prepare(text) or ".")]
        return out
