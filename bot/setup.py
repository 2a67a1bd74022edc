"""Assembling the bot: dispatcher with its middlewares and one router per feature."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from aiogram import Bot, Dispatcher
from aiogram.types import BotCommand, BotCommandScopeDefault
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import digest
from bot.case_actions import Publisher
from bot.handlers import (
    backlog,
    cases,
    compare,
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
from scrapers.capacity import Politeness
from scrapers.guard import parse_allowance
from scrapers.registry import detect

log = logging.getLogger(__name__)


def build_dispatcher(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    publisher: Publisher | None = None,
    drafter: Drafter | None = None,
    detect_source: Callable[[str], str | None] | None = None,
    clock: Clock = utcnow,
    allowed_addresses: Sequence[str] = (),
    politeness: Politeness | None = None,
) -> Dispatcher:
    """The bot's dispatcher.

    publisher: a scrapers.publish.ReplyPublisher (None: replies are posted by hand via links).
    drafter: a replies.Drafter (default: template drafts only, no language model).
    detect_source: URL → source kind (default scrapers.registry.detect).
    clock: the time handlers see; tests pass a controllable one.
    allowed_addresses: private addresses a pasted source URL may name (the fetch layer's
    allowance, OTKLIK_ALLOW_PRIVATE_ADDRESSES); others are refused when the URL is added.
    politeness: the deployment's request rate per site, for /sources' capacity warnings.
    Handlers receive `session`, `access`, `lang`, `clock`, `publisher`, `drafter`,
    `detect_source`, `politeness` and `sessionmaker` from the dispatcher's data and
    middlewares.
    """
    dispatcher = Dispatcher(
        sessionmaker=sessionmaker,
        publisher=publisher,
        drafter=drafter or Drafter(),
        detect_source=detect_source or detect,
        clock=clock,
        allowed_addresses=parse_allowance(allowed_addresses),
        politeness=politeness or Politeness(),
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
        compare.create_router(),
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
