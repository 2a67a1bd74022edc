"""Queries that must stay fast on a big PostgreSQL database, checked for what they return on
both databases: /stats figures counted in SQL, the known-mentions lookup."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Case, Mention
from storage.records import NewMention
from storage.repositories import cases as cases_repo
from storage.repositories import mentions
from tests.storage.test_storage import NOW, synced_source

# (status, minutes to first response or None, minutes allowed or None, days ago)
CASES = [
    ("replied", 30, 60, 1),  # on time
    ("resolved", 90, 60, 2),  # late
    ("ignored", None, 60, 3),  # never answered
    ("new", None, 60, 4),  # open (as are in_progress and replied)
    ("in_progress", 10, None, 5),  # answered, no deadline: on time
    ("replied", 20, 60, 400),  # outside a 30-day window
]


async def test_stats_are_counted_in_sql_per_brand(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    source = await synced_source(sessions)
    async with sessions.begin() as session:
        for n, (status, answered, allowed, days_ago) in enumerate(CASES):
            opened = NOW - timedelta(days=days_ago)
            mention = Mention(
                source_id=source.id,
                brand_id=source.brand_id,
                dedup_key=f"m{n}",
                content_hash="x",
                text="плохо",
                first_seen_at=opened,
            )
            session.add(mention)
            await session.flush()
            session.add(
                Case(
                    mention_id=mention.id,
                    brand_id=source.brand_id,
                    status=status,
                    created_at=opened,
                    updated_at=opened,
                    due_at=opened + timedelta(minutes=allowed) if allowed else None,
                    first_response_at=opened + timedelta(minutes=answered) if answered else None,
                )
            )

    async with sessions() as session:
        month = await cases_repo.response_summaries(
            session, [source.brand_id], NOW - timedelta(days=30)
        )
        everything = await cases_repo.response_summaries(
            session, [source.brand_id, 999], NOW - timedelta(days=3650)
        )
        nothing = await cases_repo.response_summaries(session, [999], NOW - timedelta(days=30))

    figures = month[source.brand_id]
    assert (figures.total, figures.answered, figures.on_time, figures.open) == (5, 3, 2, 3)
    assert figures.median_seconds is not None and round(figures.median_seconds) == 30 * 60
    assert round(figures.rate, 2) == 0.6
    # An even number of waits: the median is the mean of the middle two (20 and 30 minutes).
    assert round(everything[source.brand_id].median_seconds or 0) == 25 * 60
    assert set(everything) == {source.brand_id} and nothing == {}


async def test_known_keys_finds_exactly_the_stored_ones(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    source = await synced_source(sessions)
    items = [NewMention(external_id=f"r{n}", url=None, text=f"отзыв {n}") for n in range(0, 900, 2)]
    async with sessions.begin() as session:
        await mentions.insert_mentions(
            session,
            source_id=source.id,
            brand_id=source.brand_id,
            items=items,
            classifications=[None] * len(items),
            backfill=True,
            now=NOW,
        )
    wanted = [f"r{n}" for n in range(900)]
    async with sessions() as session:
        for _ in range(8):  # past PostgreSQL's switch to a generic plan for a prepared statement
            found = await mentions.known_keys(session, source.id, wanted)
            assert found == {f"r{n}" for n in range(0, 900, 2)}
        assert await mentions.known_keys(session, source.id + 1, wanted) == set()
        assert await mentions.known_keys(session, source.id, []) == set()
