"""What a site's public page hands to its own scripts, kept for reuse until it expires.

2GIS's pages carry the public reviews-API key in `__customcfg`; Yandex Maps' pages carry the
csrf token and session id its `fetchReviews` calls need. Reading the page for them on every poll
would double the requests, so they are kept here per site, for `ttl` seconds or until the API
refuses them (`forget`). One instance lives on the process's Fetcher.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class SiteTokens:
    """A small expiring store: key → value, each with its own lifetime."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._values: dict[str, tuple[float, object]] = {}

    def get(self, key: str) -> object | None:
        held = self._values.get(key)
        if held is None:
            return None
        expires, value = held
        if self._clock() >= expires:
            del self._values[key]
            return None
        return value

    def put(self, key: str, value: object, *, ttl: float) -> None:
        self._values[key] = (self._clock() + ttl, value)

    def forget(self, key: str) -> None:
        self._values.pop(key, None)
