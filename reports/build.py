"""Loads one brand's period from storage and computes its figures."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from reports.figures import DigestFigures, compute_figures
from reports.periods import Period
from storage.repositories import stats
from storage.repositories.revisions import ratings_raised_after_reply
from storage.repositories.stats import BrandInfo


async def build_figures(
    session: AsyncSession, brand: BrandInfo, period: Period, now: datetime
) -> DigestFigures:
    previous = period.previous()
    # One query per table for both periods, split here.
    mentions = await stats.mentions_between(session, brand.id, previous.start, period.end)
    cases = await stats.cases_created_between(session, brand.id, previous.start, period.end)
    # Counting a busy brand's month takes seconds of pure Python: a worker thread does it, so
    # the event loop keeps answering chats and sending alerts meanwhile.
    return await asyncio.to_thread(
        compute_figures,
        brand=brand,
        period=period,
        now=now,
        sources=await stats.sources_of_brand(session, brand.id),
        mentions=[m for m in mentions if m.at >= period.start],
        previous_mentions=[m for m in mentions if m.at < period.start],
        cases=[c for c in cases if c.created_at >= period.start],
        previous_cases=[c for c in cases if c.created_at < period.start],
        open_cases=await stats.open_cases(session, brand.id),
        source_events=await stats.source_events_between(
            session, brand.id, period.start, period.end
        ),
        ratings_raised=await ratings_raised_after_reply(
            session, [brand.id], since=period.start, until=period.end
        ),
    )
