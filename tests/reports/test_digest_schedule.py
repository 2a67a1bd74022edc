"""Weekly digest scheduling: the chat's slot in its zone, once per period, late but once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from otklik.digest_schedule import latest_slot, queue_due_digests
from storage.db import make_engine, make_sessionmaker
from storage.models import DigestRun, OutboxMessage
from tests.reports.factories import MSK, add_brand, add_chat

LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


async def _outbox(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def _runs(sessions: async_sessionmaker[AsyncSession]) -> list[DigestRun]:
    async with sessions() as session:
        return list(await session.scalars(select(DigestRun).order_by(DigestRun.id)))


async def test_digest_is_queued_once_per_period_across_restarts(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    """Runs on SQLite and PostgreSQL: the claim and the outbox row are one transaction."""
    async with sessions() as session, session.begin():
        brand = await add_brand(session, "Кофемания", LONG_AGO)
        await add_chat(session, -1001, brand, created_at=LONG_AGO)
    slot = datetime(2026, 10, 12, 10, 0, tzinfo=MSK)
    # The minute before the slot: the latest slot is a week earlier, queued late (first start).
    assert await queue_due_digests(sessions, slot - timedelta(minutes=1)) == 1
    assert await queue_due_digests(sessions, slot - timedelta(seconds=30)) == 0
    assert await queue_due_digests(sessions, slot) == 1
    assert await queue_due_digests(sessions, slot + timedelta(minutes=1)) == 0

    # "Restart": a new engine and sessionmaker on the same database.
    restarted = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        assert await queue_due_digests(make_sessionmaker(restarted), slot + timedelta(hours=2)) == 0
    finally:
        await restarted.dispose()

    messages = await _outbox(sessions)
    assert [message.kind for message in messages] == ["digest", "digest"]
    latest = messages[-1]
    start = datetime(2026, 10, 5, tzinfo=MSK).astimezone(UTC)
    assert latest.chat_id == -1001 and latest.brand_id == brand.id
    assert latest.dedup_key == f"digest:-1001:{brand.id}:{start.isoformat()}"
    assert latest.payload == {
        "brand_id": brand.id,
        "period_start": "2026-10-04T21:00:00+00:00",
        "period_end": "2026-10-11T21:00:00+00:00",
    }
    assert latest.status == "pending" and latest.next_attempt_at <= slot
    runs = await _runs(sessions)
    assert [(run.period_start, run.period_end) for run in runs][-1] == (
        start,
        datetime(2026, 10, 12, tzinfo=MSK).astimezone(UTC),
    )


async def test_missed_slot_is_queued_late_once_and_without_backlog(
    sqlite_engine: AsyncEngine,
) -> None:
    sessions = make_sessionmaker(sqlite_engine)
    async with sessions() as session, session.begin():
        brand = await add_brand(session, "Кофемания", LONG_AGO)
        await add_chat(session, 42, brand, created_at=datetime(2026, 10, 1, tzinfo=UTC))
    # Down over Monday's slot; back on Wednesday afternoon.
    wednesday = datetime(2026, 10, 14, 15, 0, tzinfo=MSK)
    assert await queue_due_digests(sessions, wednesday) == 1
    assert await queue_due_digests(sessions, wednesday + timedelta(minutes=1)) == 0
    # Down for two more weeks: only the latest week is queued, not the one in between.
    assert await queue_due_digests(sessions, datetime(2026, 10, 27, 9, 0, tzinfo=MSK)) == 1
    starts = [run.period_start.astimezone(MSK).date() for run in await _runs(sessions)]
    assert starts == [date(2026, 10, 5), date(2026, 10, 19)]
    assert len(await _outbox(sessions)) == 2


async def test_slot_follows_the_chats_zone_day_and_time(sqlite_engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(sqlite_engine)
    vladivostok_friday_1800 = datetime(2026, 10, 16, 8, 0, tzinfo=UTC)
    async with sessions() as session, session.begin():
        brand = await add_brand(session, "Восток", LONG_AGO)
        await add_chat(
            session, 7, brand, created_at=datetime(2026, 10, 14, tzinfo=UTC),
            timezone="Asia/Vladivostok", digest_weekday=4, digest_time="18:00",
        )  # fmt: skip
        await add_chat(session, 8, brand, created_at=LONG_AGO, digest_enabled=False)
        await add_chat(session, 9, brand, created_at=LONG_AGO, blocked_at=LONG_AGO)
    # The chat was created after last Friday's slot: nothing was missed, nothing to send.
    assert await queue_due_digests(sessions, vladivostok_friday_1800 - timedelta(minutes=1)) == 0
    assert await queue_due_digests(sessions, vladivostok_friday_1800) == 1
    (message,) = await _outbox(sessions)
    assert message.chat_id == 7
    # Seven whole Vladivostok days before the slot's day: Friday 9th to Thursday 15th.
    assert message.payload["period_start"] == "2026-10-08T14:00:00+00:00"
    assert message.payload["period_end"] == "2026-10-15T14:00:00+00:00"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 10, 12, 7, 0, tzinfo=UTC), datetime(2026, 10, 12, 10, 0, tzinfo=MSK)),
        (datetime(2026, 10, 12, 6, 59, tzinfo=UTC), datetime(2026, 10, 5, 10, 0, tzinfo=MSK)),
        (datetime(2026, 10, 18, 20, 0, tzinfo=UTC), datetime(2026, 10, 12, 10, 0, tzinfo=MSK)),
    ],
)
def test_latest_slot(now: datetime, expected: datetime) -> None:
    assert latest_slot(now, "Europe/Moscow", 0, "10:00") == expected


def test_bad_zone_and_time_fall_back_to_defaults() -> None:
    now = datetime(2026, 10, 12, 7, 30, tzinfo=UTC)
    assert latest_slot(now, "Mars/Olympus", 0, "25:99") == datetime(2026, 10, 12, 10, 0, tzinfo=MSK)
