"""The one backoff formula: doubling from the base, capped, spread by the jitter."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from common.backoff import backoff, jittered


@given(
    attempt=st.integers(min_value=0, max_value=10_000),
    base=st.floats(min_value=0.01, max_value=600),
    spread=st.floats(min_value=0, max_value=0.9),
)
def test_backoff_doubles_up_to_the_cap_within_the_spread(
    attempt: int, base: float, spread: float
) -> None:
    cap = base * 8
    expected = min(base * 2.0 ** min(attempt, 64), cap)
    delay = backoff(attempt, base=base, cap=cap, spread=spread)
    assert expected * (1 - spread) - 1e-9 <= delay <= expected * (1 + spread) + 1e-9


def test_without_spread_it_is_exact_and_jitter_moves_both_ways() -> None:
    assert [backoff(n, base=1.0, cap=600.0) for n in (0, 1, 2, 10)] == [1.0, 2.0, 4.0, 600.0]
    draws = {jittered(100.0, 0.2) for _ in range(200)}
    assert min(draws) < 100.0 < max(draws) and all(80.0 <= d <= 120.0 for d in draws)
