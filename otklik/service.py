"""`otklik run`: scheduler, outbox sender, periodic jobs and (with a token) the Telegram bot in
one process, stopped cleanly by Ctrl-C or SIGTERM. That is the whole service on SQLite; on
PostgreSQL the same work runs as jobs that any number of processes share (otklik.deployment),
each process taking some or all of it (`--role`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot.delivery import TelegramNotifier
from bot.factory import create_bot
from common.clock import utcnow
from common.errors import ConfigError
from otklik.app import Runtime, open_runtime
from otklik.bot_wiring import (
    Job,
    announce_commands,
    dispatcher_for,
    keep_polling,
    periodic_jobs,
    replies,
)
from otklik.console import ConsoleNotifier
from otklik.roles import EVERY_ROLE, Role, uses_job_queue
from otklik.scheduler import Scheduler
from otklik.sender import Notifier, Sender
from otklik.settings import Settings
from otklik.telegram import Webhook

log = logging.getLogger(__name__)


async def serve(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    roles: frozenset[Role] = EVERY_ROLE,
    webhook: Webhook | None = None,
) -> None:
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    if uses_job_queue(settings.database_url):
        # Imported here: only a PostgreSQL deployment loads the job queue (procrastinate).
        from otklik.deployment import serve_deployment

        await serve_deployment(settings, roles, stop, webhook=webhook)
        return
    if roles != EVERY_ROLE or webhook is not None:
        raise ConfigError(
            "--role and --webhook split the service over several processes, which needs "
            "PostgreSQL (OTKLIK_DATABASE_URL=postgresql+asyncpg://...); SQLite runs it all in one"
        )
    async with open_runtime(settings) as runtime:
        if settings.bot_token is None:
            log.warning(
                "OTKLIK_BOT_TOKEN is not set: alerts are printed here, not sent to Telegram"
            )
            await _serve(runtime, ConsoleNotifier(runtime.sessionmaker), stop, jobs={})
            return
        await _serve_with_bot(runtime, stop)


async def _serve_with_bot(runtime: Runtime, stop: asyncio.Event) -> None:
    settings = runtime.settings
    assert settings.bot_token is not None
    bot = create_bot(settings.bot_token.get_secret_value(), settings.telegram_api_url)
    try:
        drafter, publisher = replies(runtime)
        dispatcher = dispatcher_for(runtime, drafter, publisher)
        sessions = runtime.sessionmaker
        await announce_commands(bot)
        polling = asyncio.create_task(keep_polling(dispatcher, bot, stop), name="telegram-polling")
        try:
            await _serve(
                runtime,
                TelegramNotifier(bot, sessions),
                stop,
                jobs=periodic_jobs(sessions, drafter, publisher),
            )
        finally:
            with contextlib.suppress(RuntimeError):
                await dispatcher.stop_polling()
            polling.cancel()
            await asyncio.gather(polling, return_exceptions=True)
    finally:
        await bot.session.close()


async def _serve(
    runtime: Runtime, notifier: Notifier, stop: asyncio.Event, *, jobs: dict[str, Job]
) -> None:
    settings = runtime.settings
    sender = Sender(runtime.sessionmaker, notifier, max_attempts=settings.outbox_max_attempts)

    def on_report(report: object) -> None:
        sender.wake.set()

    scheduler = Scheduler(
        runtime.sessionmaker,
        runtime.pipeline,
        max_concurrency=settings.max_concurrent_polls,
        max_per_host=settings.http_per_host_concurrency,
        on_report=on_report,
    )
    tasks = [
        asyncio.create_task(scheduler.run(stop), name="scheduler"),
        asyncio.create_task(sender.run(stop), name="sender"),
        *(
            asyncio.create_task(_every(60, name, job, stop, sender), name=name)
            for name, job in jobs.items()
        ),
    ]
    log.info("otklik is running: %d brands; Ctrl-C stops", len(runtime.config.brands))
    try:
        await stop.wait()
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        log.info("otklik stopped")


async def _every(seconds: float, name: str, job: Job, stop: asyncio.Event, sender: Sender) -> None:
    while not stop.is_set():
        try:
            if await job(utcnow()):
                sender.wake.set()
        except Exception:
            log.exception("periodic job %s failed; it runs again in %ss", name, seconds)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)
