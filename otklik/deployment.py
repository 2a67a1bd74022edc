"""`otklik run --role ...` on PostgreSQL: this process's share of the service, taken from the
job queue (otklik.workqueue) that every process of the deployment shares.

    all       everything below in one process (the default)
    poll      poll due sources (classifying what they bring)
    classify  classify mentions stored unlabelled (the classifier was down)
    send      deliver the outbox to Telegram
    bot       answer the Telegram bot's updates (long polling, or a webhook with --webhook)
    jobs      deadline reminders and weekly digests
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from enum import StrEnum

from aiogram import Bot

from bot.deadlines import check_deadlines
from bot.delivery import TelegramNotifier
from bot.factory import create_bot
from bot.setup import build_dispatcher, set_bot_commands
from common.errors import ConfigError
from otklik.app import Runtime, open_runtime
from otklik.console import ConsoleNotifier
from otklik.digest_schedule import queue_due_digests
from otklik.sender import Notifier, Sender
from otklik.settings import Settings
from otklik.telegram import Webhook, keep_polling, reply_credentials, serve_webhook
from otklik.workqueue import Queue, Work, WorkQueue
from scrapers.publish import ReplyPublisher
from storage.db import is_postgresql

log = logging.getLogger(__name__)

# Send jobs wait on Telegram, not on the CPU: a few at once keep latency low under bursts.
SEND_CONCURRENCY = 4


class Role(StrEnum):
    ALL = "all"
    POLL = "poll"
    CLASSIFY = "classify"
    SEND = "send"
    BOT = "bot"
    JOBS = "jobs"


EVERY_ROLE = frozenset(Role) - {Role.ALL}


def parse_roles(text: str) -> frozenset[Role]:
    """'poll,send' → {poll, send}; `all` stands for every role."""
    try:
        roles = frozenset(Role(part.strip()) for part in text.split(",") if part.strip())
    except ValueError:
        known = ", ".join(role.value for role in Role)
        raise ConfigError(f"--role {text!r}: roles are {known} (several: poll,send)") from None
    return EVERY_ROLE if not roles or Role.ALL in roles else roles


def uses_job_queue(database_url: str) -> bool:
    """PostgreSQL deployments share their work through the job queue; SQLite is one process."""
    return is_postgresql(database_url)


async def serve_deployment(
    settings: Settings,
    roles: frozenset[Role],
    stop: asyncio.Event,
    *,
    webhook: Webhook | None = None,
) -> None:
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        # A line per job at INFO would bury the service's own log.
        logging.getLogger("procrastinate").setLevel(logging.WARNING)
    async with open_runtime(settings) as runtime:
        queue = WorkQueue(settings.database_url)
        await queue.open(runtime.sessionmaker)
        bot = (
            create_bot(settings.bot_token.get_secret_value(), settings.telegram_api_url)
            if settings.bot_token is not None
            else None
        )
        try:
            tasks = [asyncio.create_task(_work(runtime, queue, roles, bot, stop), name="workers")]
            if bot is not None and Role.BOT in roles:
                tasks.append(
                    asyncio.create_task(_answer(runtime, bot, stop, webhook), name="telegram")
                )
            elif roles == {Role.BOT}:
                log.warning("the bot role without OTKLIK_BOT_TOKEN has nothing to do")
            names = ",".join(sorted(roles))
            log.info("otklik is running as %s; Ctrl-C stops", names)
            try:
                await stop.wait()
            finally:
                stop.set()
                await asyncio.gather(*tasks, return_exceptions=True)
                log.info("otklik stopped")
        finally:
            if bot is not None:
                await bot.session.close()
            await queue.close()


async def _work(
    runtime: Runtime,
    queue: WorkQueue,
    roles: frozenset[Role],
    bot: Bot | None,
    stop: asyncio.Event,
) -> None:
    settings = runtime.settings
    sessions = runtime.sessionmaker
    work = Work(sessions, lease_seconds=settings.job_lease)
    queues: list[tuple[Queue, int]] = []
    if Role.POLL in roles:
        work.pipeline = runtime.pipeline
        queues.append((Queue.POLL, settings.max_concurrent_polls))
    if Role.CLASSIFY in roles:
        work.pipeline = runtime.pipeline
        queues.append((Queue.CLASSIFY, 1))
    if Role.SEND in roles:
        notifier: Notifier = (
            TelegramNotifier(bot, sessions) if bot is not None else ConsoleNotifier(sessions)
        )
        work.sender = Sender(sessions, notifier, max_attempts=settings.outbox_max_attempts)
        queues.append((Queue.SEND, SEND_CONCURRENCY))
    if Role.JOBS in roles:
        if bot is None:
            log.warning("OTKLIK_BOT_TOKEN is not set: no deadline reminders or digests")
        else:

            async def deadlines(now: datetime) -> int:
                return await check_deadlines(sessions, now)

            async def digests(now: datetime) -> int:
                return await queue_due_digests(sessions, now)

            work.deadlines, work.digests = deadlines, digests
            queues.append((Queue.JOBS, 1))
    if roles == {Role.BOT}:
        return
    # Every worker also listens to the lease queue, to take over a dead one's jobs.
    await queue.run_workers(work, queues or [(Queue.LEASE, 1)], stop)


async def _answer(runtime: Runtime, bot: Bot, stop: asyncio.Event, webhook: Webhook | None) -> None:
    publisher = ReplyPublisher(runtime.http, reply_credentials(runtime.settings))
    dispatcher = build_dispatcher(
        sessionmaker=runtime.sessionmaker,
        publisher=publisher,
        per_host_rate=runtime.settings.http_per_host_rate,
    )
    try:
        await set_bot_commands(bot)
    except Exception as exc:  # Telegram down at start: the menu can wait, alerts cannot
        log.warning("could not set the bot's command menu: %s", exc)
    if webhook is not None:
        await serve_webhook(dispatcher, bot, webhook, stop)
        return
    polling = asyncio.create_task(keep_polling(dispatcher, bot, stop), name="telegram-polling")
    try:
        await stop.wait()
    finally:
        with contextlib.suppress(RuntimeError):
            await dispatcher.stop_polling()
        polling.cancel()
        await asyncio.gather(polling, return_exceptions=True)
