"""Figures of the controlled week on SQLite, for the rendering tests."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from reports import DigestFigures, build_figures, week_before
from storage.db import make_sessionmaker
from storage.repositories import stats
from tests.reports.factories import MSK, NOW, build_week


@pytest.fixture
async def week_figures(sqlite_engine: AsyncEngine) -> DigestFigures:
    sessions = make_sessionmaker(sqlite_engine)
    async with sessions() as session, session.begin():
        week = await build_week(session)
    async with sessions() as session:
        brand = await stats.brand_by_id(session, week.brand_id)
        assert brand is not None
        period = week_before(NOW.astimezone(MSK).date(), "Europe/Moscow")
        return await build_figures(session, brand, period, NOW)
