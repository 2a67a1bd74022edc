"""`otklik run`: scheduler, outbox sender, periodic jobs and (with a token) the Telegram bot in
one process, stopped cleanly by Ctrl-C or SIGTERM. That is the whole service on SQLite; on
PostgreSQL the same work runs as jobs that any number of processes share (otklik.deployment),
each process taking some or all of it (`--role`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import datetime

import aiohttp
from aiogram import Bot, Dispatcher

from bot.deadlines import check_deadlines
from bot.delivery import TelegramNotifier
from bot.factory import create_bot
from bot.setup import build_dispatcher, set_bot_commands
from bot.thanks import thank_for_praise
from common.backoff import backoff
from common.clock import utcnow
from common.errors import ConfigError
from otklik.app import Runtime, open_runtime
from otklik.console import ConsoleNotifier
from otklik.digest_schedule import queue_due_digests
from otklik.roles import EVERY_ROLE, Role, uses_job_queue
from otklik.scheduler import Scheduler
from otklik.sender import Notifier, Sender
from otklik.settings import Settings
from otklik.telegram import Webhook
from replies import Drafter, LLMClient, LLMSettings
from scrapers.publish import ReplyCredentials, ReplyPublisher

log = logging.getLogger(__name__)

Job = Callable[[datetime], Awaitable[int]]


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
        # Imported here: the deployment reuses this module's bot helpers.
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
        publisher = ReplyPublisher(runtime.http, reply_credentials(settings))
        drafter = Drafter(llm_client(settings, runtime.http))
        dispatcher = build_dispatcher(
            sessionmaker=runtime.sessionmaker,
            publisher=publisher,
            drafter=drafter,
            per_host_rate=settings.http_per_host_rate,
        )
        sessions = runtime.sessionmaker

        async def deadlines(now: datetime) -> int:
            return await check_deadlines(sessions, now)

        async def digests(now: datetime) -> int:
            return await queue_due_digests(sessions, now)

        async def thanks(now: datetime) -> int:
            return await thank_for_praise(sessions, drafter, publisher, now)

        try:
            await set_bot_commands(bot)
        except Exception as exc:  # Telegram down at start: the menu can wait, alerts cannot
            log.warning("could not set the bot's command menu: %s", exc)
        polling = asyncio.create_task(keep_polling(dispatcher, bot, stop), name="telegram-polling")
        try:
            await _serve(
                runtime,
                TelegramNotifier(bot, sessions),
                stop,
                jobs={"deadlines": deadlines, "digests": digests, "thanks": thanks},
            )
        finally:
            with contextlib.suppress(RuntimeError):
                await dispatcher.stop_polling()
            polling.cancel()
            await asyncio.gather(polling, return_exceptions=True)
    finally:
        await bot.session.close()


async def keep_polling(dispatcher: Dispatcher, bot: Bot, stop: asyncio.Event) -> None:
    """Long-poll Telegram for the whole life of the service: when Telegram is unreachable at
    start or polling dies later, the bot's commands must come back by themselves."""
    restarts = 0
    while not stop.is_set():
        try:
            await dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False)
            reason = "stopped"
        except Exception as exc:
            reason = f"failed: {exc}"
        if stop.is_set():
            return
        delay = backoff(restarts, base=1.0, cap=60.0, spread=0.1)
        restarts += 1
        log.warning("Telegram polling %s; restarting in %.0f s", reason, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)


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


def llm_client(settings: Settings, http: aiohttp.ClientSession) -> LLMClient | None:
    """The language model for drafts when OTKLIK_LLM_URL names one; templates otherwise."""
    if settings.llm_url is None or settings.llm_model is None:
        return None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return LLMClient(
        http,
        LLMSettings(
            url=settings.llm_url,
            model=settings.llm_model,
            api_key=key,
            timeout=settings.llm_timeout,
        ),
    )


def reply_credentials(settings: Settings) -> ReplyCredentials:
    def secret(value: object) -> str | None:
        return value.get_secret_value() if value is not None else None  # type: ignore[attr-defined]

    key = settings.appstore_private_key_file
    return ReplyCredentials(
        google_business_token=secret(settings.google_business_token),
        google_play_token=secret(settings.google_play_token),
        appstore_issuer_id=settings.appstore_issuer_id,
        appstore_key_id=settings.appstore_key_id,
        appstore_private_key=key.read_text(encoding="utf-8") if key else None,
    )
