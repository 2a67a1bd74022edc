"""Hypothesis building blocks shared by the parsers' property tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# Any JSON value, small: what a changed or broken API might put where a field used to be.
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-10, 10**13)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def json_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and indexes) into a decoded JSON document, the root () included."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += json_paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += json_paths(child, (*prefix, index))
    return found
