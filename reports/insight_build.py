"""Loads what the insight figures need (the brand's and its competitors' mentions of a period
and the one before, and which branch each source belongs to), and one branch's digest."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from reports.build import build_figures, periods_mentions
from reports.figures import DigestFigures
from reports.insight import InsightFigures, compute_insight
from reports.periods import Period
from storage.repositories import branches, competitors, stats
from storage.repositories.branches import BranchRecord
from storage.repositories.stats import BrandInfo, MentionRow


async def build_insight(
    session: AsyncSession,
    brand: BrandInfo,
    period: Period,
    *,
    mentions: list[MentionRow] | None = None,
) -> InsightFigures:
    """`mentions`: the brand's of both periods, already read for its digest."""
    rows = mentions if mentions is not None else await periods_mentions(session, brand, period)
    rivals = [
        (rival.name, await stats.mentions_between(session, rival.id, period.start, period.end))
        for rival in await competitors.competitors_of(session, brand.id)
    ]
    # A chain's year of mentions is seconds of arithmetic: off the event loop, so other chats'
    # alerts and commands do not wait on it.
    compute = partial(
        compute_insight,
        brand_name=brand.name,
        period=period,
        mentions=[m for m in rows if m.at >= period.start],
        previous_mentions=[m for m in rows if m.at < period.start],
        branch_names={b.id: b.name for b in await branches.branches_of(session, brand.id)},
        source_branch=await branches.source_branches(session, brand.id),
        competitors=rivals,
    )
    return await asyncio.to_thread(compute)


async def build_branch_figures(
    session: AsyncSession, brand: BrandInfo, branch: BranchRecord, period: Period, now: datetime
) -> DigestFigures:
    """The digest of one branch: its sources only, titled with the brand and the branch."""
    sources = await branches.source_branches(session, brand.id)
    return await build_figures(
        session,
        replace(brand, name=f"{brand.name} · {branch.name}"),
        period,
        now,
        source_ids={
            source_id for source_id, branch_id in sources.items() if branch_id == branch.id
        },
    )


async def build_digest_and_insight(
    session: AsyncSession, brand: BrandInfo, period: Period, now: datetime
) -> tuple[DigestFigures, InsightFigures]:
    """A brand's digest and the insight after it, from one read of its mentions."""
    mentions = await periods_mentions(session, brand, period)
    return (
        await build_figures(session, brand, period, now, mentions=mentions),
        await build_insight(session, brand, period, mentions=mentions),
    )
