"""Storage on SQLite and on a real PostgreSQL server: migrations, idempotent ingestion,
cases and the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import downgrade, make_engine, upgrade
from storage.models import Case, CaseEvent, Chat, Member, Mention, OutboxMessage, Source
from storage.records import BrandInput, ClassificationInput, NewMention, SourceInput, SourceRecord
from storage.repositories import mentions, outbox, sources
from storage.repositories.brands import sync_brands
from storage.repositories.triage import open_cases_and_alerts

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def brand(urls: tuple[str, ...] = ("https://a.example/feed",)) -> BrandInput:
    return BrandInput(
        name="Кофемания",
        aliases=("Кофемания", "Coffeemania"),
        owners=(111, -100200),
        alert_on="negative",
        timezone="Europe/Moscow",
        response_minutes=60,
        work_start="00:00",
        work_end="00:00",
        work_days="1234567",
        touchpoints={},
        sources=tuple(SourceInput(kind="rss", url=url, interval_seconds=600) for url in urls),
    )


def negative(label: str = "negative") -> ClassificationInput:
    return ClassificationInput(
        label=label,
        score=0.9,
        scores={label: 0.9},
        touchpoints=[{"tag": "staff", "polarity": label}],
    )


def deadline(opened: datetime, _brand: object) -> datetime:
    return opened + timedelta(hours=1)


async def synced_source(sessions: async_sessionmaker[AsyncSession]) -> SourceRecord:
    """The brand's one source, as the pipeline receives it after the config sync."""
    async with sessions.begin() as session:
        await sync_brands(session, [brand()], NOW)
    async with sessions() as session:
        return (await sources.list_sources(session))[0]


async def test_migrations_stairway(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        await upgrade(engine)
        await downgrade(engine, "base")
        await upgrade(engine)
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert {
            "brands",
            "sources",
            "mentions",
            "cases",
            "case_events",
            "outbox",
            "members",
            "chats",
        } <= tables
    finally:
        await engine.dispose()


async def test_migration_0002_drops_the_unused_column_and_keeps_the_sources(db_url: str) -> None:
    engine = make_engine(db_url)

    def source_columns(sync: Any) -> set[str]:
        return {column["name"] for column in inspect(sync).get_columns("sources")}

    try:
        await upgrade(engine, "0001_initial")
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO brands (id, name, aliases, alert_on, timezone, response_minutes,"
                    " work_start, work_end, work_days, touchpoints, created_at) VALUES (1, 'B',"
                    " '[]', 'negative', 'UTC', 60, '09:00', '21:00', '12345', '{}', :now)"
                ),
                {"now": NOW},
            )
            await conn.execute(
                text(
                    "INSERT INTO sources (id, brand_id, kind, url, interval_seconds, options, origin,"
                    " enabled, created_at, backfilled, consecutive_failures, consecutive_empty,"
                    " health, health_notified) VALUES (1, 1, 'rss', 'https://a.example/feed', 600,"
                    " '{}', 'config', true, :now, false, 0, 0, 'ok', false)"
                ),
                {"now": NOW},
            )
        await upgrade(engine)
        async with engine.begin() as conn:
            assert "consecutive_empty" not in await conn.run_sync(source_columns)
            url = (await conn.execute(text("SELECT url FROM sources"))).scalar_one()
            assert url == "https://a.example/feed"
        await downgrade(engine, "0001_initial")
        async with engine.begin() as conn:
            assert "consecutive_empty" in await conn.run_sync(source_columns)
            assert (await conn.execute(text("SELECT url FROM sources"))).scalar_one() == url
        await upgrade(engine)
    finally:
        await engine.dispose()


async def test_config_sync_is_idempotent_and_disables_removed_sources(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        ids = await sync_brands(
            session, [brand(urls=("https://a.example/feed", "https://b.example/feed"))], NOW
        )
    async with sessions.begin() as session:
        again = await sync_brands(session, [brand(urls=("https://a.example/feed",))], NOW)
    assert ids == again
    async with sessions() as session:
        listed = await sources.list_sources(session)
        assert [(s.url, s.enabled) for s in listed] == [
            ("https://a.example/feed", True),
            ("https://b.example/feed", False),
        ]
        assert listed[0].aliases == ("Кофемания", "Coffeemania")
        assert await session.scalar(select(func.count()).select_from(Chat)) == 2
        # The private chat's user owns the brand; the group chat is nobody.
        members = (await session.execute(select(Member.user_id, Member.role))).all()
        assert [tuple(m) for m in members] == [(111, "owner")]


async def test_ingestion_is_idempotent_by_id_and_by_content(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    source = await synced_source(sessions)
    items = [
        NewMention(external_id="r1", url="https://a.example/1", text="Ужасный сервис", rating=1.0),
        NewMention(external_id=None, url=None, text="Без  id,   только текст", author="Анна"),
        NewMention(
            external_id=None, url=None, text="без id, только текст", author="анна"
        ),  # same, normalised
    ]
    for attempt in range(2):
        async with sessions.begin() as session:
            created = await mentions.insert_mentions(
                session,
                source_id=source.id,
                brand_id=source.brand_id,
                items=items,
                classifications=[negative()] * 3,
                backfill=False,
                now=NOW,
            )
        assert len(created) == (2 if attempt == 0 else 0)
    async with sessions() as session:
        rows = (await session.scalars(select(Mention).order_by(Mention.id))).all()
        assert [(r.external_id, r.text, r.rating, r.sentiment_label) for r in rows] == [
            ("r1", "Ужасный сервис", 1.0, "negative"),
            (None, "Без  id,   только текст", None, "negative"),
        ]
        assert rows[0].published_at is None and rows[0].first_seen_at == NOW
        stored = await mentions.stored_mentions(session, source.id, ["r1", "r2"])
        assert list(stored) == ["r1"] and stored["r1"].text == "Ужасный сервис"
        assert stored["r1"].rating == 1.0 and stored["r1"].removed_at is None


async def test_negative_mentions_open_cases_and_queue_one_alert_per_chat(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    source = await synced_source(sessions)
    async with sessions.begin() as session:
        created = await mentions.insert_mentions(
            session,
            source_id=source.id,
            brand_id=source.brand_id,
            items=[NewMention("a", None, "плохо"), NewMention("b", None, "хорошо")],
            classifications=[negative(), negative("positive")],
            backfill=False,
            now=NOW,
        )
        triaged = await open_cases_and_alerts(
            session,
            brand_id=source.brand_id,
            mentions=[(m, v.label) for m, _, v in created],
            now=NOW,
            deadline=deadline,
        )
        # Queuing the same alerts again (a retried transaction) changes nothing.
        await outbox.enqueue(
            session, dedup_key=f"alert:{created[0][0]}:111", chat_id=111, kind="alert", now=NOW
        )
    assert (triaged.cases_opened, triaged.alerts_queued) == (1, 2)
    async with sessions() as session:
        case = (await session.scalars(select(Case))).one()
        assert (case.status, case.due_at) == ("new", NOW + timedelta(hours=1))
        assert (await session.scalars(select(CaseEvent.action))).all() == ["opened"]
        queued = (
            await session.scalars(select(OutboxMessage).order_by(OutboxMessage.chat_id))
        ).all()
        assert [(m.chat_id, m.kind, m.case_id) for m in queued] == [
            (-100200, "alert", case.id),
            (111, "alert", case.id),
        ]


async def test_outbox_retries_gives_up_and_skips_blocked_chats(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        await sync_brands(session, [brand()], NOW)
        for chat in (111, -100200):
            await outbox.enqueue(
                session,
                dedup_key=f"t:{chat}",
                chat_id=chat,
                kind="text",
                now=NOW,
                payload={"text": "hi"},
            )
    async with sessions() as session:
        due = await outbox.due_messages(session, NOW)
    assert [m.payload["text"] for m in due] == ["hi", "hi"]
    first, second = due
    async with sessions.begin() as session:
        assert (
            await outbox.mark_retry(
                session, first.id, error="500", retry_at=NOW + timedelta(seconds=5), give_up_after=2
            )
            == "pending"
        )
    async with sessions() as session:
        assert [m.id for m in await outbox.due_messages(session, NOW)] == [second.id]
        later = await outbox.due_messages(session, NOW + timedelta(seconds=5))
        assert [m.id for m in later] == [second.id, first.id]  # longest waiting first
    async with sessions.begin() as session:
        assert (
            await outbox.mark_retry(session, first.id, error="500", retry_at=NOW, give_up_after=2)
            == "failed"
        )
        await outbox.mark_chat_unavailable(
            session, second.id, second.chat_id, error="blocked", now=NOW
        )
    async with sessions() as session:
        assert await outbox.due_messages(session, NOW + timedelta(days=1)) == []
        statuses = dict(
            (await session.execute(select(OutboxMessage.chat_id, OutboxMessage.status))).all()
        )
        assert statuses == {first.chat_id: "failed", second.chat_id: "skipped"}
        blocked = await session.scalar(select(Chat.blocked_at).where(Chat.id == second.chat_id))
        assert blocked == NOW


async def test_naive_datetimes_are_refused(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        await sync_brands(session, [brand()], NOW)
    with pytest.raises(Exception, match="naive datetime"):
        async with sessions.begin() as session:
            row = await session.scalar(select(Source))
            assert row is not None
            row.next_poll_at = datetime(2026, 1, 1)
