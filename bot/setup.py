"""Assembling the bot: dispatcher with its middlewares and one router per feature."""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiogram import Bot, Dispatcher
from aiogram.types import BotCommand, BotCommandScopeDefault
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import digest
from bot.case_actions import Publisher
from bot.handlers import cases, errors, labels, members, sources, stats
from bot.middlewares import AccessMiddleware, DbSessionMiddleware
from bot.texts import COMMANDS
from common.clock import Clock, utcnow
from scrapers.registry import detect

log = logging.getLogger(__name__)


def build_dispatcher(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    publisher: Publisher | None = None,
    detect_source: Callable[[str], str | None] | None = None,
    clock: Clock = utcnow,
) -> Dispatcher:
    """The bot's dispatcher.

    publisher: a scrapers.publish.ReplyPublisher (None: replies are posted by hand via links).
    detect_source: URL → source kind (default scrapers.registry.detect).
    clock: the time handlers see; tests pass a controllable one.
    Handlers receive `session`, `access`, `lang`, `clock`, `publisher`, `detect_source` and
    `sessionmaker` from the dispatcher's data and middlewares.
    """
    dispatcher = Dispatcher(
        sessionmaker=sessionmaker,
        publisher=publisher,
        detect_source=detect_source or detect,
        clock=clock,
    )
    dispatcher.update.outer_middleware(DbSessionMiddleware(sessionmaker))
    dispatcher.update.outer_middleware(AccessMiddleware())
    dispatcher.include_routers(
        members.create_router(),
        cases.create_router(),
        labels.create_router(),
        stats.create_router(),
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
