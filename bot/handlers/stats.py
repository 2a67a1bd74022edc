"""/stats: response rate and median time to first response per brand."""

from __future__ import annotations

from datetime import timedelta

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.handlers.common import Clock, args_of, parse_int
from bot.middlewares import Access
from bot.render import esc
from bot.response_stats import format_duration
from bot.texts import t
from storage.repositories import cases as cases_repo


async def stats(
    message: Message, session: AsyncSession, access: Access, lang: str, clock: Clock
) -> None:
    days = parse_int(next(iter(args_of(message.text)), None)) or 30
    days = max(1, min(days, 3650))
    now = clock()
    summaries = await cases_repo.response_summaries(
        session, access.brand_ids, now - timedelta(days=days)
    )
    if not summaries:
        await message.answer(t(lang, "stats_empty"))
        return
    lines = [t(lang, "stats_title", days=days)]
    for membership in access.memberships.values():
        figures = summaries.get(membership.brand_id)
        if figures is None:
            continue
        lines.append(
            t(
                lang,
                "stats_line",
                brand=esc(membership.brand_name),
                total=figures.total,
                answered=figures.answered,
                rate=f"{figures.rate:.0%}",
                on_time=figures.on_time,
                median=format_duration(figures.median_seconds, lang),
                open=figures.open,
            )
        )
    await message.answer("\n".join(lines))


def create_router() -> Router:
    """A fresh router (a router joins one dispatcher only; tests build several)."""
    router = Router(name="stats")
    router.message.register(stats, Command("stats"))
    return router
