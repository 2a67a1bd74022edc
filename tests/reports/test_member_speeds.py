"""The digest's median time to first response per team member (each case's assignee)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reports import build_figures, digest_html, week_before
from storage.models import Member
from storage.repositories import stats
from tests.reports.factories import (
    MSK,
    NOW,
    WEEK_START,
    add_brand,
    add_case,
    add_mention,
    add_source,
    local,
)

PETR, OLGA, UNNAMED = 71, 72, 73


async def test_digest_shows_each_members_median_first_response(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Runs on SQLite and on the real PostgreSQL server."""
    async with sessions() as session, session.begin():
        brand = await add_brand(session, "Кофемания", local(WEEK_START, 9) - timedelta(days=60))
        source = await add_source(session, brand, "twogis", "https://2gis.ru/firm/1")
        for user_id, name in ((PETR, "Пётр <PR>"), (OLGA, "Ольга"), (UNNAMED, None)):
            session.add(
                Member(brand_id=brand.id, user_id=user_id, role="pr", name=name, created_at=NOW)
            )
        # (assignee, minutes to the first response or None): Пётр 10 and 30, Ольга 90.
        for hour, (assignee, minutes) in enumerate(
            [(PETR, 10), (PETR, 30), (OLGA, 90), (UNNAMED, 45), (OLGA, None), (None, 5)]
        ):
            opened = local(WEEK_START, 10 + hour)
            mention = await add_mention(
                session, source, text="Плохо", published_at=opened, first_seen_at=opened
            )
            case = await add_case(
                session,
                mention,
                created_at=opened,
                status="replied" if minutes else "in_progress",
                first_response_at=opened + timedelta(minutes=minutes) if minutes else None,
            )
            case.assignee_id = assignee
    async with sessions() as session:
        info = await stats.brand_by_id(session, brand.id)
        assert info is not None
        figures = await build_figures(
            session, info, week_before(NOW.astimezone(MSK).date(), "Europe/Moscow"), NOW
        )
    speeds = [(s.name, s.answered, s.median_minutes) for s in figures.member_speeds]
    assert speeds == [("Пётр <PR>", 2, 20.0), ("73", 1, 45.0), ("Ольга", 1, 90.0)]
    text = digest_html(figures, "ru")
    assert "По команде (медиана, ответов): Пётр &lt;PR&gt; — 20 мин (2), 73 — 45 мин (1)" in text
