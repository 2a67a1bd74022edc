"""/stats: per brand, the response figures of the digest's rule over the last N days."""

from __future__ import annotations

from datetime import datetime, timedelta

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.handlers.common import args_of, parse_int
from bot.middlewares import Access
from bot.render import esc
from bot.texts import t
from common.clock import Clock
from reports.i18n import duration
from reports.response import response_figures
from storage.repositories import branches as branches_repo
from storage.repositories import stats as stats_repo
from storage.repositories.stats import CaseRow


async def stats(
    message: Message, session: AsyncSession, access: Access, lang: str, clock: Clock
) -> None:
    days = parse_int(next(iter(args_of(message.text)), None)) or 30
    days = max(1, min(days, 3650))
    now = clock()
    scopes = access.scopes()
    lines = [t(lang, "stats_title", days=days)]
    for membership in access.memberships.values():
        cases = await stats_repo.cases_created_between(
            session, membership.brand_id, now - timedelta(days=days)
        )
        branch_of = await branches_repo.source_branches(session, membership.brand_id)
        scope = scopes.get(membership.brand_id)
        if scope is not None:  # a branch manager sees their branch only
            cases = [case for case in cases if branch_of.get(case.source_id) == scope]
        line = _line(lang, esc(membership.brand_name), cases, now)
        if line is None:
            continue
        lines.append(line)
        for branch in await branches_repo.branches_of(session, membership.brand_id):
            mine = [case for case in cases if branch_of.get(case.source_id) == branch.id]
            branch_line = _line(lang, esc(branch.name), mine, now)
            if branch_line is not None:
                lines.append("   📍 " + branch_line)
    if len(lines) == 1:
        await message.answer(t(lang, "stats_empty"))
        return
    await message.answer("\n".join(lines))


def _line(lang: str, name: str, cases: list[CaseRow], now: datetime) -> str | None:
    """One brand's or branch's response figures; None when it had no cases."""
    figures = response_figures(cases, now)
    if figures.cases == 0:
        return None
    median = figures.median_minutes
    return t(
        lang,
        "stats_line",
        brand=name,
        total=figures.cases,
        ignored=t(lang, "stats_ignored", n=figures.ignored) if figures.ignored else "",
        answered=figures.responded,
        rate=f"{figures.rate}%" if figures.rate is not None else "—",
        on_time=figures.on_time,
        median=duration(median, lang) if median is not None else "—",
        open=figures.open,
    )


def create_router() -> Router:
    """A fresh router (a router joins one dispatcher only; tests build several)."""
    router = Router(name="stats")
    router.message.register(stats, Command("stats"))
    return router
