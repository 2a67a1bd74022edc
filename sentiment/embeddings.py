"""Pretrained Russian word vectors for training: Navec (news, 250K words, 300d, MIT licence).

The vectors come inside the `natasha` wheel on PyPI, so the `train` extra gets them from the
package registry with no other download. Only training reads them: the model keeps three numbers
per word (what the word's vector says about each class), not the vectors themselves.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from sentiment.errors import SentimentError

NAVEC_FILE = "navec_news_v1_1B_250K_300d_100q.tar"
# Navec learned Russian: its few Latin-script words (names, "the") carry news-topic noise that
# made English texts score worse, so only Cyrillic words are kept.
_CYRILLIC = re.compile(r"[а-я]")


@dataclass(frozen=True, slots=True)
class WordVectors:
    """Unit-length vectors, one row per word; words are lower-case with ё spelled е, as
    `sentiment.text.normalize` leaves them. `counts` is each word's corpus frequency."""

    words: tuple[str, ...]
    vectors: np.ndarray  # (words, dims) float32, rows of length 1
    counts: np.ndarray  # (words,) int64

    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}


def navec_path() -> Path:
    # find_spec locates the installed package without importing it (natasha's own imports
    # pull in its whole NLP stack, which training does not need).
    spec = importlib.util.find_spec("natasha")
    locations = list(spec.submodule_search_locations or ()) if spec else []
    for location in locations:
        path = Path(location) / "data" / "emb" / NAVEC_FILE
        if path.is_file():
            return path
    raise SentimentError(
        "training needs the Navec word vectors from the natasha package: pip install -e '.[train]'"
    )


@lru_cache(maxsize=1)
def load_navec(path: Path | None = None) -> WordVectors:
    """Decode the product-quantised Navec archive into plain unit vectors (300 MB; kept for
    the next training in the same process)."""
    try:
        from navec import Navec
    except ImportError as exc:
        raise SentimentError("training needs navec: pip install -e '.[train]'") from exc
    navec = Navec.load(str(path or navec_path()))
    pq = navec.pq
    vectors = np.concatenate(
        [pq.codes[i][pq.indexes[:, i]] for i in range(pq.qdim)], axis=1
    ).astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1)
    # One row per spelling after normalisation: "ёлка" and "елка" are one word to the model;
    # the commoner spelling's vector wins. Zero rows (<pad>, <unk>) are no words at all.
    best: dict[str, int] = {}
    counts = np.asarray(navec.vocab.counts, dtype=np.int64)
    for i, word in enumerate(navec.vocab.words):
        key = word.lower().replace("ё", "е")
        if norms[i] == 0 or not _CYRILLIC.search(key):
            continue
        if key not in best or counts[i] > counts[best[key]]:
            best[key] = i
    keys = sorted(best)
    rows = np.array([best[k] for k in keys], dtype=np.int64)
    return WordVectors(tuple(keys), vectors[rows] / norms[rows, None], counts[rows])
