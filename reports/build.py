"""Loads one brand's period from storage and computes its figures."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from reports.figures import OPEN_LISTED, DigestFigures, compute_figures
from reports.periods import Period
from storage.repositories import stats
from storage.repositories.revisions import ratings_raised_after_reply
from storage.repositories.stats import BrandInfo, MentionRow


async def build_figures(
    session: AsyncSession,
    brand: BrandInfo,
    period: Period,
    now: datetime,
    *,
    source_ids: Collection[int] | None = None,
    mentions: list[MentionRow] | None = None,
) -> DigestFigures:
    """`source_ids`: only these sources count (one branch's digest). `mentions`: those of both
    periods, already read (`periods_mentions`)."""
    previous = period.previous()
    # One query per table for both periods, split here.
    if mentions is None:
        mentions = await periods_mentions(session, brand, period, source_ids=source_ids)
    cases = await stats.cases_created_between(
        session, brand.id, previous.start, period.end, source_ids=source_ids
    )
    # Counting a busy brand's month takes seconds of pure Python: a worker thread does it, so
    # the event loop keeps answering chats and sending alerts meanwhile.
    return await asyncio.to_thread(
        compute_figures,
        brand=brand,
        period=period,
        now=now,
        sources=[
            s
            for s in await stats.sources_of_brand(session, brand.id)
            if source_ids is None or s.id in source_ids
        ],
        mentions=[m for m in mentions if m.at >= period.start],
        previous_mentions=[m for m in mentions if m.at < period.start],
        cases=[c for c in cases if c.created_at >= period.start],
        previous_cases=[c for c in cases if c.created_at < period.start],
        open_cases=await stats.open_cases(
            session, brand.id, now, limit=OPEN_LISTED, source_ids=source_ids
        ),
        source_events=await stats.source_events_between(
            session, brand.id, period.start, period.end, source_ids=source_ids
        ),
        ratings_raised=await ratings_raised_after_reply(
            session, [brand.id], since=period.start, until=period.end, source_ids=source_ids
        ),
    )


async def periods_mentions(
    session: AsyncSession,
    brand: BrandInfo,
    period: Period,
    *,
    source_ids: Collection[int] | None = None,
) -> list[MentionRow]:
    """The brand's mentions of the period and the one before it: what the digest and the
    insight both count."""
    return await stats.mentions_between(
        session, brand.id, period.previous().start, period.end, source_ids=source_ids
    )
