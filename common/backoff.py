"""Exponential backoff with jitter, the one formula for fetch retries, outbox retries and polls.

The jitter spreads clients that failed together (a site down for everyone, a Telegram flood
limit) so their retries do not arrive at the same instant.
"""

from __future__ import annotations

import random


def jittered(seconds: float, spread: float) -> float:
    """`seconds` moved by a random fraction of at most `spread` either way (0.1 = ±10%)."""
    return seconds * random.uniform(1.0 - spread, 1.0 + spread)


def backoff(attempt: int, *, base: float, cap: float, spread: float = 0.0) -> float:
    """`base` × 2^attempt, at most `cap`, then jittered by `spread` (attempt 0 waits `base`)."""
    return jittered(min(base * 2.0 ** min(attempt, 64), cap), spread)
