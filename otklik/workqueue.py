"""The work of a PostgreSQL deployment as jobs of procrastinate, a maintained PostgreSQL job
queue, so any number of `otklik run --role ...` processes on any number of machines share it.

The database rows stay the source of truth; jobs are derived from them, so a crash loses
nothing. A poll job is deferred for each due source (`dispatch_polls`), a send job for each
pending outbox row (`dispatch_outbox`); both dispatchers run every few seconds as periodic
jobs and the send dispatch also right after work that queued messages. Job locks give one poll
per source and one sender per message at a time; the source's `next_poll_at` and the message's
status, read again when the job starts, make a repeated job a no-op. A worker killed with
SIGKILL stops its heartbeat; after the lease (`OTKLIK_JOB_LEASE`) `retry_stalled` hands its
jobs to another worker. Periodic jobs (deadline reminders, digests) fire once per tick however
many workers run: procrastinate records each (task, tick) once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from procrastinate import App, Blueprint, JobContext, PsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common.clock import utcnow
from otklik.pipeline import Pipeline
from otklik.sender import Sender
from storage.repositories import sources as sources_repo

log = logging.getLogger(__name__)

PeriodicJob = Callable[[datetime], Awaitable[int]]


class Queue(StrEnum):
    """One queue per kind of work, so each role listens to its own."""

    POLL = "poll"
    CLASSIFY = "classify"
    SEND = "send"
    JOBS = "jobs"
    # Taking over a dead worker's jobs: every worker listens here, whatever its role.
    LEASE = "lease"


class Task(StrEnum):
    POLL_SOURCE = "otklik:poll_source"
    DISPATCH_POLLS = "otklik:dispatch_polls"
    CLASSIFY = "otklik:classify_pending"
    SEND_MESSAGE = "otklik:send_message"
    DISPATCH_OUTBOX = "otklik:dispatch_outbox"
    DEADLINES = "otklik:deadlines"
    DIGESTS = "otklik:digests"
    THANKS = "otklik:thanks"
    RETRY_STALLED = "otklik:retry_stalled"


@dataclass(slots=True)
class Work:
    """What this process's jobs run with; a role without a part leaves it None."""

    sessions: async_sessionmaker[AsyncSession]
    pipeline: Pipeline | None = None
    sender: Sender | None = None
    # Deadline reminders, digests and thanks by name; empty outside jobs workers.
    periodic: dict[str, PeriodicJob] = field(default_factory=dict)
    lease_seconds: float = 30.0
    dispatch_batch: int = 500


def _work(context: JobContext) -> tuple[Work, WorkQueue]:
    extra = context.additional_context
    return extra["work"], extra["queue"]


async def poll_source(context: JobContext, source_id: int) -> None:
    work, queue = _work(context)
    assert work.pipeline is not None, "poll jobs run only in poll workers"
    async with work.sessions() as session:
        source = await sources_repo.get_source(session, source_id)
    # A job deferred while an earlier one for the same source was running finds it polled.
    if source is None or not source.enabled or not _due(source.next_poll_at):
        return
    report = await work.pipeline.poll(source)
    if any(m.sentiment_label is None for m in report.new_mentions):
        await queue.defer(Task.CLASSIFY, queueing_lock=Task.CLASSIFY)
    if report.alerts_queued or report.health:
        await queue.dispatch_outbox_soon()


async def dispatch_polls(context: JobContext, timestamp: int) -> None:
    work, queue = _work(context)
    async with work.sessions() as session:
        due = await _ids(session, _DUE_SOURCES, work.dispatch_batch)
    for source_id in due:
        await queue.defer(
            Task.POLL_SOURCE, source_id=source_id, lock=f"source:{source_id}", unique=True
        )


async def classify_pending(context: JobContext, timestamp: int | None = None) -> None:
    work, queue = _work(context)
    assert work.pipeline is not None, "classify jobs run only in classify workers"
    if await work.pipeline.classify_pending():
        await queue.dispatch_outbox_soon()
        await queue.defer(Task.CLASSIFY, queueing_lock=Task.CLASSIFY)  # more may be waiting


async def dispatch_outbox(context: JobContext, timestamp: int | None = None) -> None:
    work, queue = _work(context)
    async with work.sessions() as session:
        pending = await _ids(session, _PENDING_MESSAGES, work.dispatch_batch)
    for message_id in pending:
        await queue.defer(
            Task.SEND_MESSAGE, message_id=message_id, lock=f"outbox:{message_id}", unique=True
        )


async def send_message(context: JobContext, message_id: int) -> None:
    work, _ = _work(context)
    assert work.sender is not None, "send jobs run only in send workers"
    await work.sender.send_one(message_id)


async def deadlines(context: JobContext, timestamp: int) -> None:
    await _periodic(context, "deadlines")


async def digests(context: JobContext, timestamp: int) -> None:
    await _periodic(context, "digests")


async def thanks(context: JobContext, timestamp: int) -> None:
    await _periodic(context, "thanks")


async def retry_stalled(context: JobContext, timestamp: int) -> None:
    """Jobs of workers whose heartbeat stopped longer than the lease ago go back to the queue."""
    work, _ = _work(context)
    manager = context.app.job_manager
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=work.lease_seconds):
        log.warning("job %s of a dead worker is taken over: %s", job.id, job.call_string)
        await manager.retry_job(job)


async def _periodic(context: JobContext, name: str) -> None:
    work, queue = _work(context)
    job = work.periodic.get(name)
    assert job is not None, f"{name} jobs run only in jobs workers"
    if await job(utcnow()):
        await queue.dispatch_outbox_soon()


def _due(next_poll_at: datetime | None) -> bool:
    # A little early is fine: the dispatcher runs every 2 s and a poll takes time to start.
    return next_poll_at is None or next_poll_at <= utcnow() + timedelta(seconds=1)


# Rows with work and no job for it yet (waiting or running): the dispatchers' queries.
_DUE_SOURCES = text(
    """
    SELECT s.id FROM sources s
    WHERE s.enabled AND (s.next_poll_at IS NULL OR s.next_poll_at <= now())
      AND NOT EXISTS (
          SELECT 1 FROM procrastinate_jobs j
          WHERE j.lock = 'source:' || s.id AND j.status IN ('todo', 'doing'))
    ORDER BY s.next_poll_at NULLS FIRST, s.id
    LIMIT :limit
    """
)
_PENDING_MESSAGES = text(
    """
    SELECT o.id FROM outbox o
    WHERE o.status = 'pending' AND o.next_attempt_at <= now()
      AND NOT EXISTS (
          SELECT 1 FROM procrastinate_jobs j
          WHERE j.lock = 'outbox:' || o.id AND j.status IN ('todo', 'doing'))
    ORDER BY o.next_attempt_at, o.id
    LIMIT :limit
    """
)


async def _ids(session: AsyncSession, query: Any, limit: int) -> list[int]:
    return list(await session.scalars(query, {"limit": limit}))


def _blueprint() -> Blueprint:
    """The tasks, registered afresh for each app (procrastinate renames a blueprint's tasks
    when an app takes them, so one blueprint cannot serve two apps)."""
    tasks = Blueprint()

    def task(function: Any, queue: Queue, *, lock: str | None = None) -> Any:
        return tasks.task(
            name=function.__name__, queue=queue, queueing_lock=lock, pass_context=True
        )(function)

    def every(cron: str, function: Any, queue: Queue) -> None:
        # One waiting job at a time, whatever the number of workers deferring the ticks.
        tasks.periodic(cron=cron, periodic_id=function.__name__)(
            task(function, queue, lock=f"otklik:{function.__name__}")
        )

    task(poll_source, Queue.POLL)
    task(send_message, Queue.SEND)
    every("* * * * * */2", dispatch_polls, Queue.POLL)  # croniter: seconds come last
    every("* * * * * */2", dispatch_outbox, Queue.SEND)
    every("* * * * * */30", classify_pending, Queue.CLASSIFY)
    every("* * * * *", deadlines, Queue.JOBS)
    every("* * * * *", digests, Queue.JOBS)
    every("* * * * *", thanks, Queue.JOBS)
    every("* * * * * */5", retry_stalled, Queue.LEASE)
    return tasks


@dataclass(frozen=True, slots=True)
class QueueDepth:
    task: str
    waiting: int
    running: int


@dataclass(frozen=True, slots=True)
class QueueStatus:
    """What `otklik status` shows of the job queue."""

    workers_alive: int
    workers_silent: int
    depths: list[QueueDepth]


async def queue_status(session: AsyncSession, lease_seconds: float) -> QueueStatus | None:
    """Workers by heartbeat and jobs waiting or running per task; None before any worker
    installed the queue (or on SQLite)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    if await session.scalar(text("SELECT to_regclass('procrastinate_jobs')")) is None:
        return None
    alive, total = (
        await session.execute(
            text(
                "SELECT count(*) FILTER (WHERE last_heartbeat > now() - make_interval(secs => "
                ":lease)), count(*) FROM procrastinate_workers"
            ),
            {"lease": lease_seconds},
        )
    ).one()
    rows = await session.execute(
        text(
            """
            SELECT task_name, count(*) FILTER (WHERE status = 'todo'),
                   count(*) FILTER (WHERE status = 'doing')
            FROM procrastinate_jobs WHERE status IN ('todo', 'doing')
            GROUP BY task_name ORDER BY task_name
            """
        )
    )
    depths = [QueueDepth(task.removeprefix("otklik:"), todo, doing) for task, todo, doing in rows]
    return QueueStatus(int(alive), int(total) - int(alive), depths)


_SCHEMA_LOCK = 0x6F746B6E  # "otkn", beside storage.db's advisory lock keys


class WorkQueue:
    """The procrastinate app of this process: its schema, deferring, and the workers."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self.app = App(
            connector=PsycopgConnector(
                conninfo=url.render_as_string(hide_password=False),
                kwargs={"application_name": "otklik"},
            )
        )
        self.app.add_tasks_from(_blueprint(), namespace="otklik")

    async def open(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        await self._ensure_schema(sessions)
        await self.app.open_async()

    async def close(self) -> None:
        await self.app.close_async()

    async def _ensure_schema(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        """Install procrastinate's tables once; processes starting together wait for the
        first one (an advisory lock held by the installing transaction)."""
        async with sessions.begin() as session:
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
            if await session.scalar(text("SELECT to_regclass('procrastinate_jobs')")) is None:
                log.info("installing the job queue's tables (procrastinate)")
                connection = await (await session.connection()).get_raw_connection()
                # Many statements and dollar-quoted functions: the driver's simple protocol.
                await connection.driver_connection.execute(  # type: ignore[union-attr]
                    self.app.schema_manager.get_schema()
                )

    async def defer(
        self,
        task: Task,
        *,
        lock: str | None = None,
        queueing_lock: str | None = None,
        unique: bool = False,
        **kwargs: Any,
    ) -> None:
        """Queue a job. `unique`: at most one waiting job per lock (the lock doubles as the
        queueing lock), so dispatchers may offer the same work again without piling it up."""
        if unique:
            queueing_lock = lock
        try:
            await self.app.configure_task(task, lock=lock, queueing_lock=queueing_lock).defer_async(
                **kwargs
            )
        except AlreadyEnqueued:
            pass

    async def dispatch_outbox_soon(self) -> None:
        await self.defer(Task.DISPATCH_OUTBOX, queueing_lock=Task.DISPATCH_OUTBOX)

    async def run_workers(
        self, work: Work, queues: Iterable[tuple[Queue, int]], stop: asyncio.Event
    ) -> None:
        """One procrastinate worker per queue (each with its own concurrency) until `stop`."""
        context = {"work": work, "queue": self}
        name = f"{socket.gethostname()}:{os.getpid()}"
        heartbeat = max(1.0, work.lease_seconds / 3)
        workers = [
            asyncio.create_task(
                self.app.run_worker_async(
                    queues=[queue, Queue.LEASE] if queue != Queue.LEASE else [queue],
                    concurrency=concurrency,
                    name=f"{queue}@{name}",
                    wait=True,
                    install_signal_handlers=False,
                    additional_context=context,
                    update_heartbeat_interval=heartbeat,
                    stalled_worker_timeout=work.lease_seconds,
                    fetch_job_polling_interval=1.0,
                    shutdown_graceful_timeout=10.0,
                    delete_jobs="successful",
                ),
                name=f"worker-{queue}",
            )
            for queue, concurrency in queues
        ]
        try:
            await stop.wait()
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
