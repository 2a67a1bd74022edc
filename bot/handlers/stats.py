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
from bot.response_stats import brand_stats, format_duration
from bot.texts import t
from storage.repositories import branches as branches_repo
from storage.repositories import cases as cases_repo
from storage.repositories.cases import ResponseRow


async def stats(
    message: Message, session: AsyncSession, access: Access, lang: str, clock: Clock
) -> None:
    days = parse_int(next(iter(args_of(message.text)), None)) or 30
    days = max(1, min(days, 3650))
    now = clock()
    scopes = access.scopes()
    rows = [
        row
        for row in await cases_repo.response_rows(
            session, access.brand_ids, now - timedelta(days=days)
        )
        if row.brand_id not in scopes or row.branch_id == scopes[row.brand_id]
    ]
    if not rows:
        await message.answer(t(lang, "stats_empty"))
        return
    lines = [t(lang, "stats_title", days=days)]
    for membership in access.memberships.values():
        mine = [r for r in rows if r.brand_id == membership.brand_id]
        if not mine:
            continue
        lines.append(_line(lang, esc(membership.brand_name), mine))
        branch_rows: dict[int, list[ResponseRow]] = {}
        for row in mine:
            if row.branch_id is not None:
                branch_rows.setdefault(row.branch_id, []).append(row)
        if not branch_rows:
            continue
        for branch in await branches_repo.branches_of(session, membership.brand_id):
            if branch.id in branch_rows:
                lines.append("   📍 " + _line(lang, esc(branch.name), branch_rows[branch.id]))
    await message.answer("\n".join(lines))


def _line(lang: str, name: str, rows: list[ResponseRow]) -> str:
    figures = brand_stats(rows)
    return t(
        lang,
        "stats_line",
        brand=name,
        total=figures.total,
        answered=figures.answered,
        rate=f"{figures.rate:.0%}",
        on_time=figures.on_time,
        median=format_duration(figures.median_seconds, lang),
        open=figures.open,
    )


def create_router() -> Router:
    """A fresh router (a router joins one dispatcher only; tests build several)."""
    router = Router(name="stats")
    router.message.register(stats, Command("stats"))
    return router
