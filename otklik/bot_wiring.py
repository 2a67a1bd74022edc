"""The Telegram bot's parts that every way of running the service shares: the dispatcher with
its reply drafting and publishing, the periodic jobs that need the bot, and polling that
survives Telegram outages. The single process (otklik.service) and the PostgreSQL roles
(otklik.deployment) both build the bot from here, so they cannot drift apart."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

import aiohttp
from aiogram import Bot, Dispatcher
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.deadlines import check_deadlines
from bot.setup import build_dispatcher, set_bot_commands
from bot.thanks import thank_for_praise
from common.backoff import backoff
from otklik.app import Runtime
from otklik.digest_schedule import queue_due_digests
from otklik.settings import Settings
from replies import Drafter, LLMClient, LLMSettings
from scrapers.publish import ReplyCredentials, ReplyPublisher

log = logging.getLogger(__name__)

Job = Callable[[datetime], Awaitable[int]]


def replies(runtime: Runtime) -> tuple[Drafter, ReplyPublisher]:
    """Reply drafts (a language model when configured) and publishing on the platforms."""
    return (
        Drafter(llm_client(runtime.settings, runtime.http)),
        ReplyPublisher(runtime.http, reply_credentials(runtime.settings)),
    )


def dispatcher_for(runtime: Runtime, drafter: Drafter, publisher: ReplyPublisher) -> Dispatcher:
    settings = runtime.settings
    return build_dispatcher(
        sessionmaker=runtime.sessionmaker,
        publisher=publisher,
        drafter=drafter,
        allowed_addresses=settings.allowed_private,
        politeness=settings.politeness,
    )


def periodic_jobs(
    sessions: async_sessionmaker[AsyncSession], drafter: Drafter, publisher: ReplyPublisher
) -> dict[str, Job]:
    """Deadline reminders, weekly digests and thanks for praise, each given the time now."""

    async def deadlines(now: datetime) -> int:
        return await check_deadlines(sessions, now)

    async def digests(now: datetime) -> int:
        return await queue_due_digests(sessions, now)

    async def thanks(now: datetime) -> int:
        return await thank_for_praise(sessions, drafter, publisher, now)

    return {"deadlines": deadlines, "digests": digests, "thanks": thanks}


async def announce_commands(bot: Bot) -> None:
    try:
        await set_bot_commands(bot)
    except Exception as exc:  # Telegram down at start: the menu can wait, alerts cannot
        log.warning("could not set the bot's command menu: %s", exc)


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
