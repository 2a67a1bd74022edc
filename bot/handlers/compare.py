"""`/compare [brand] [period]`: the brand's index, its branches and its competitors."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.enums import ParseMode
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest import report_request
from bot.insight import deliver_insight
from bot.middlewares import Access
from bot.texts import t
from common.clock import Clock
from reports.insight_build import build_insight


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
    asked = await report_request(message, command, session, access, clock())
    if asked is None:
        return
    brand, period, lang = asked
    if access.scopes().get(brand.id) is not None:
        # A branch manager sees their own branch, not how the others rank.
        await message.answer(t(lang, "compare_brand_only"), parse_mode=ParseMode.HTML)
        return
    figures = await build_insight(session, brand, period)
    await deliver_insight(bot, message.chat.id, figures, lang, always=True)
