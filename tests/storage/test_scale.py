"""Queries that must stay fast on a big PostgreSQL database, checked for what they return on
both databases: /stats figures counted in SQL, the known-mentions lookup."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reports.response import response_figures
from storage.models import Branch, Case, Mention, Source
from storage.records import NewMention
from storage.repositories import cases as cases_repo
from storage.repositories import mentions, stats
from storage.repositories.brands import sync_brands
from storage.repositories.sources import list_sources
from tests.storage.test_storage import NOW, brand, synced_source

# (status, minutes to first response or None, minutes allowed or None, days ago)
CASES = [
    ("replied", 30, 60, 1),  # on time
    ("resolved", 90, 60, 2),  # late
    ("ignored", None, 60, 3),  # ignored without an answer: out of the rate
    ("new", None, 60, 4),  # open and overdue (as are in_progress and replied)
    ("in_progress", 10, None, 5),  # answered, no deadline: on time
    ("replied", 20, 60, 400),  # outside a 30-day window
]


async def test_stats_are_counted_in_sql_by_the_digests_rule(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        await sync_brands(
            session, [brand(("https://a.example/feed", "https://b.example/feed"))], NOW
        )
    async with sessions() as session:
        source, other = await list_sources(session)
    # Every other case comes from a second source, outside the branch.
    async with sessions.begin() as session:
        for n, (status, answered, allowed, days_ago) in enumerate(CASES):
            opened = NOW - timedelta(days=days_ago)
            mention = Mention(
                source_id=(source, other)[n % 2].id,
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

    async with sessions.begin() as session:
        branch = Branch(brand_id=source.brand_id, name="Арбат", created_at=NOW)
        session.add(branch)
        await session.flush()
        await session.execute(
            update(Source).where(Source.id == source.id).values(branch_id=branch.id)
        )
    for days in (30, 3650):
        since = NOW - timedelta(days=days)
        async with sessions() as session:
            counted = await cases_repo.response_counts(session, [source.brand_id, 999], since, NOW)
            by_branch = await cases_repo.branch_response_counts(
                session, source.brand_id, since, NOW
            )
            rows = await stats.cases_created_between(session, source.brand_id, since)
        # The database's counts are the digest's rule applied to the rows, field by field: the
        # brand's over all its cases, the branch's over its source's.
        assert set(counted) == {source.brand_id} and set(by_branch) == {branch.id}
        branch_rows = [row for row in rows if row.source_id == source.id]
        assert 0 < len(branch_rows) < len(rows)
        for counts, rule in (
            (counted[source.brand_id], response_figures(rows, NOW)),
            (by_branch[branch.id], response_figures(branch_rows, NOW)),
        ):
            assert (
                counts.cases,
                counts.responded,
                counts.ignored,
                counts.on_time,
                counts.missed_deadlines,
                counts.open,
                counts.median_minutes,
            ) == (
                rule.cases,
                rule.responded,
                rule.ignored,
                rule.on_time,
                rule.missed_deadlines,
                rule.open,
                rule.median_minutes,
            )
    month = await _counts(sessions, source.brand_id, 30)
    assert (month.cases, month.responded, month.ignored, month.missed_deadlines) == (5, 3, 1, 2)
    assert month.median_minutes == 30  # 10, 30, 90
    assert (await _counts(sessions, source.brand_id, 3650)).median_minutes == 25  # 10, 20, 30, 90
    async with sessions() as session:
        assert await cases_repo.response_counts(session, [999], NOW, NOW) == {}


async def _counts(
    sessions: async_sessionmaker[AsyncSession], brand_id: int, days: int
) -> cases_repo.ResponseCounts:
    async with sessions() as session:
        counted = await cases_repo.response_counts(
            session, [brand_id], NOW - timedelta(days=days), NOW
        )
    return counted[brand_id]


async def test_stored_mentions_finds_exactly_the_stored_ones(
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
            found = await mentions.stored_mentions(session, source.id, wanted)
            assert set(found) == {f"r{n}" for n in range(0, 900, 2)}
            assert found["r4"].text == "отзыв 4"
        assert await mentions.stored_mentions(session, source.id + 1, wanted) == {}
        assert await mentions.stored_mentions(session, source.id, []) == {}
