"""`otklik run --role ...` on PostgreSQL: this process's share of the service, taken from the
job queue (otklik.workqueue) that every process of the deployment shares.

    all       everything below in one process (the default)
    poll      poll due sources (classifying what they bring)
    classify  classify mentions stored unlabelled (the classifier was down)
    send      deliver the outbox to Telegram
    bot       answer the Telegram bot's updates (long polling, or a webhook with --webhook)
    jobs      deadline reminders, weekly digests and thanks for praise
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot

from bot.delivery import TelegramNotifier
from bot.factory import create_bot
from otklik.app import Runtime, open_runtime
from otklik.bot_wiring import (
    announce_commands,
    dispatcher_for,
    keep_polling,
    periodic_jobs,
    replies,
)
from otklik.console import ConsoleNotifier
from otklik.roles import Role
from otklik.sender import Notifier, Sender
from otklik.settings import Settings
from otklik.telegram import Webhook, serve_webhook
from otklik.workqueue import Queue, Work, WorkQueue

log = logging.getLogger(__name__)

# Send jobs wait on Telegram, not on the CPU: a few at once keep latency low under bursts.
SEND_CONCURRENCY = 4


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
            work.periodic = periodic_jobs(sessions, *replies(runtime))
            queues.append((Queue.JOBS, 1))
    if roles == {Role.BOT}:
        return
    # Every worker also listens to the lease queue, to take over a dead one's jobs.
    await queue.run_workers(work, queues or [(Queue.LEASE, 1)], stop)


async def _answer(runtime: Runtime, bot: Bot, stop: asyncio.Event, webhook: Webhook | None) -> None:
    dispatcher = dispatcher_for(runtime, *replies(runtime))
    await announce_commands(bot)
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
