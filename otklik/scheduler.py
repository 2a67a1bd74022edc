"""Polls every source at its own interval, a bounded number at a time; one source's failure
or slowness never holds up the others."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common.clock import Clock, utcnow
from otklik.pipeline import Pipeline, PollReport
from storage.records import SourceRecord
from storage.repositories import sources as sources_repo

log = logging.getLogger(__name__)

OnReport = Callable[[PollReport], Awaitable[None] | None]


class Scheduler:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        pipeline: Pipeline,
        *,
        max_concurrency: int = 8,
        clock: Clock = utcnow,
        on_report: OnReport | None = None,
        tick: float = 1.0,
    ) -> None:
        self._sessions = sessionmaker
        self._pipeline = pipeline
        self._limit = asyncio.Semaphore(max_concurrency)
        self._clock = clock
        self._on_report = on_report
        self._tick = tick
        self._in_flight: dict[int, asyncio.Task[PollReport]] = {}

    async def poll_all(self) -> list[PollReport]:
        """One pass over every enabled source, due or not (the `scan` command)."""
        async with self._sessions() as session:
            sources = await sources_repo.list_sources(session, enabled_only=True)
        reports = await asyncio.gather(*(self._poll(source) for source in sources))
        await self._pipeline.classify_pending()
        return list(reports)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll due sources until `stop` is set; in-flight polls finish or are cancelled."""
        await self._pipeline.classify_pending()
        try:
            while not stop.is_set():
                try:
                    async with self._sessions() as session:
                        due = await sources_repo.due_sources(
                            session, self._clock(), exclude=list(self._in_flight)
                        )
                except Exception:  # database restarting or locked: try again next tick
                    log.exception("could not read the sources that are due")
                    due = []
                for source in due:
                    task = asyncio.create_task(self._poll(source), name=f"poll-{source.id}")
                    self._in_flight[source.id] = task
                    task.add_done_callback(functools.partial(self._forget, source.id))
                try:
                    await asyncio.wait_for(stop.wait(), timeout=self._tick)
                except TimeoutError:
                    pass
        finally:
            for task in list(self._in_flight.values()):
                task.cancel()
            await asyncio.gather(*self._in_flight.values(), return_exceptions=True)

    def _forget(self, source_id: int, _task: asyncio.Task[PollReport]) -> None:
        self._in_flight.pop(source_id, None)

    async def _poll(self, source: SourceRecord) -> PollReport:
        async with self._limit:
            try:
                report = await self._pipeline.poll(source)
                if any(m.sentiment_label is None for m in report.new_mentions):
                    await self._pipeline.classify_pending()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug or a database outage must not stop the others
                log.exception("poll of source %s %s crashed", source.kind, source.url)
                report = PollReport(source=source, error=f"internal error: {exc!r}")
        if self._on_report is not None:
            outcome = self._on_report(report)
            if outcome is not None:
                await outcome
        return report
