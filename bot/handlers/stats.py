"""/stats: per brand, the response figures of the digest's rule over the last N days."""

from __future__ import annotations

from datetime import timedelta

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
from reports.response import ResponseFigures, rating_gains
from storage.repositories import branches as branches_repo
from storage.repositories import cases as cases_repo
from storage.repositories.revisions import ratings_raised_after_reply


async def stats(
    message: Message, session: AsyncSession, access: Access, lang: str, clock: Clock
) -> None:
    days = parse_int(next(iter(args_of(message.text)), None)) or 30
    days = max(1, min(days, 3650))
    now = clock()
    scopes = access.scopes()
    lines = [t(lang, "stats_title", days=days)]
    # Counted by the database: a busy brand's years of cases are not loaded row by row.
    counted = await cases_repo.response_counts(
        session, access.brand_ids, now - timedelta(days=days), now
    )
    raises = await ratings_raised_after_reply(
        session, list(access.brand_ids), since=now - timedelta(days=days), until=now
    )
    for membership in access.memberships.values():
        scope = scopes.get(membership.brand_id)
        counts = counted.get(membership.brand_id)
        if counts is None:
            continue
        if scope is None:  # a branch manager sees their branch's line only
            lines.append(_line(lang, esc(membership.brand_name), _figures(counts)))
            raised, gain = rating_gains(r for r in raises if r.brand_id == membership.brand_id)
            if raised and gain is not None:
                lines.append(t(lang, "stats_raised", n=raised, gain=f"{gain:g}"))
        branches = await branches_repo.branches_of(session, membership.brand_id)
        if not branches:
            continue
        by_branch = await cases_repo.branch_response_counts(
            session, membership.brand_id, now - timedelta(days=days), now
        )
        for branch in branches:
            if scope is not None and branch.id != scope:
                continue
            if branch.id in by_branch:
                branch_figures = _figures(by_branch[branch.id])
                lines.append("   📍 " + _line(lang, esc(branch.name), branch_figures))
    if len(lines) == 1:
        await message.answer(t(lang, "stats_empty"))
        return
    await message.answer("\n".join(lines))


def _figures(counts: cases_repo.ResponseCounts) -> ResponseFigures:
    return ResponseFigures(
        cases=counts.cases,
        responded=counts.responded,
        ignored=counts.ignored,
        on_time=counts.on_time,
        missed_deadlines=counts.missed_deadlines,
        open=counts.open,
        median_minutes=counts.median_minutes,
    )


def _line(lang: str, name: str, figures: ResponseFigures) -> str:
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
