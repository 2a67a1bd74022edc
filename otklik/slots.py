"""Poll slots: how many polls work at once, overall and per host.

A host that answers slowly or not at all must never starve the others. Two rules see to it:
- one host holds at most `per_host` polls at once; its further polls queue for the host without
  taking a shared slot;
- a poll still running after `slow_after` seconds gives its shared slot back and keeps only its
  host's: a hanging poll costs a socket, not a turn of every other source.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")


class PollSlots:
    def __init__(self, total: int, *, per_host: int = 2, slow_after: float = 1.0) -> None:
        self._shared = asyncio.Semaphore(max(1, total))
        self._per_host = max(1, per_host)
        self._slow_after = slow_after
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def run(self, host: str, work: Callable[[], Awaitable[T]]) -> T:
        gate = self._hosts.setdefault(host, asyncio.Semaphore(self._per_host))
        async with gate:
            task: asyncio.Future[T] | None = None
            try:
                async with self._shared:
                    task = asyncio.ensure_future(work())
                    await asyncio.wait({task}, timeout=self._slow_after)
                return await task
            except asyncio.CancelledError:
                if task is not None:
                    task.cancel()
                raise


def host_of(url: str, options: dict[str, str]) -> str:
    """The host a source's requests go to (its `api_base` where it has one)."""
    return (urlsplit(options.get("api_base") or url).hostname or "").lower()
