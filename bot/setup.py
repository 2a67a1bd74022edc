"""Assembling the bot: dispatcher with its middlewares and one router per feature."""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiogram import Bot, Dispatcher
from aiogram.types import BotCommand, BotCommandScopeDefault
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import digest
from bot.case_actions import Publisher
from bot.handlers import (
    backlog,
    cases,
    drafts,
    errors,
    labels,
    members,
    praise,
    sources,
    stats,
    templates,
)
from bot.middlewares import AccessMiddleware, DbSessionMiddleware
from bot.texts import COMMANDS
from common.clock import Clock, utcnow
from replies import Drafter
from scrapers.registry import detect

log = logging.getLogger(__name__)


def build_dispatcher(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    publisher: Publisher | None = None,
    drafter: Drafter | None = None,
    detect_source: Callable[[str], str | None] | None = None,
    clock: Clock = utcnow,
    per_host_rate: float = 1.0,
) -> Dispatcher:
    """The bot's dispatcher.

    publisher: a scrapers.publish.ReplyPublisher (None: replies are posted by hand via links).
    drafter: a replies.Drafter (default: template drafts only, no language model).
    detect_source: URL → source kind (default scrapers.registry.detect).
    clock: the time handlers see; tests pass a controllable one.
    per_host_rate: the deployment's politeness per site, for /sources' capacity warnings.
    Handlers receive `session`, `access`, `lang`, `clock`, `publisher`, `drafter`,
    `detect_source`, `per_host_rate` and `sessionmaker` from the dispatcher's data and
    middlewares.
    """
    dispatcher = Dispatcher(
        sessionmaker=sessionmaker,
        publisher=publisher,
        drafter=drafter or Drafter(),
        detect_source=detect_source or detect,
        clock=clock,
        per_host_rate=per_host_rate,
    )
    dispatcher.update.outer_middleware(DbSessionMiddleware(sessionmaker))
    dispatcher.update.outer_middleware(AccessMiddleware())
    dispatcher.include_routers(
        members.create_router(),
        drafts.create_router(),
        cases.create_router(),
        backlog.create_router(),
        labels.create_router(),
        praise.create_router(),
        stats.create_router(),
        templates.create_router(),
        digest.create_router(),
        sources.create_router(),
        errors.create_router(),
    )
    return dispatcher


async def set_bot_commands(bot: Bot) -> None:
    """The command menu in Russian (default) and English."""
    for lang, commands in COMMANDS.items():
        await bot.set_my_commands(
            [BotCommand(command=name, description=text) for name, text in commands],
            scope=BotCommandScopeDefault(),
            language_code=None if lang == "ru" else lang,
        )
