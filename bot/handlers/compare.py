"""`/compare [brand] [period]`: the brand's index, its branches and its competitors."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.enums import ParseMode
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest import choose_brand, user_language
from bot.insight import deliver_insight
from bot.middlewares import Access
from bot.texts import t
from common.clock import Clock
from reports.insight_build import build_insight
from reports.periods import PeriodError, looks_like_period, parse_period
from storage.repositories import stats


def create_router() -> Router:
    """A fresh router (a router joins one dispatcher only; tests build several)."""
    router = Router(name="insight")
    router.message.register(compare_command, Command("compare"))
    return router


async def compare_command(
    message: Message,
    command: CommandObject,
    bot: Bot,
    session: AsyncSession,
    access: Access,
    clock: Clock,
) -> None:
    """`/compare [brand] [7d|30d|YYYY-MM]`: answered even for a brand without branches or
    competitors (then it is the index explained)."""
    words = (command.args or "").split()
    spec = words.pop() if words and looks_like_period(words[-1]) else None
    chat = await stats.chat_settings(session, message.chat.id)
    lang = chat.language if chat else user_language(message)
    brand, problem = await choose_brand(session, message, access, " ".join(words), lang)
    if brand is None:
        await message.answer(problem, parse_mode=ParseMode.HTML)
        return
    try:
        period = parse_period(spec, clock(), chat.timezone if chat else brand.timezone)
    except PeriodError:
        await message.answer(t(lang, "digest_bad_period"), parse_mode=ParseMode.HTML)
        return
    figures = await build_insight(session, brand, period)
    await deliver_insight(bot, message.chat.id, figures, lang, always=True)
