"""Weekly digest scheduling: each chat's slot in its own time zone, queued once per period.

Called every minute by the scheduler. The digest_runs row and the outbox message are written
in one transaction, so a restart never queues a period twice and never loses one; after
downtime only the latest missed period is queued (late), not a backlog of stale weeks.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common.vocabulary import OutboxKind
from common.worktime import parse_hhmm
from reports.periods import Period, week_before, zone
from storage.repositories import digests, outbox
from storage.repositories.digests import DigestSubscription

logger = logging.getLogger(__name__)

DEFAULT_TIME = time(10, 0)


def latest_slot(now: datetime, timezone: str, weekday: int, at: str) -> datetime:
    """The most recent weekly slot at or before `now` (aware, in the chat's zone)."""
    local_now = now.astimezone(zone(timezone))
    slot_time = _parse_time(at)
    day = local_now.date() - timedelta(days=(local_now.weekday() - weekday % 7) % 7)
    slot = _local(day, slot_time, timezone)
    if slot > local_now:
        slot = _local(day - timedelta(days=7), slot_time, timezone)
    return slot


def digest_period(slot: datetime, timezone: str) -> Period:
    return week_before(slot.date(), timezone)


def dedup_key(chat_id: int, brand_id: int, period_start: datetime) -> str:
    return f"digest:{chat_id}:{brand_id}:{period_start.isoformat()}"


def digest_payload(brand_id: int, period: Period) -> dict[str, Any]:
    return {
        "brand_id": brand_id,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
    }


async def queue_due_digests(sessionmaker: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Queue every digest whose latest slot has come and that was not queued yet; returns how
    many were queued now."""
    async with sessionmaker() as session:
        subscriptions = await digests.digest_subscriptions(session)
    queued = 0
    for subscription in subscriptions:
        slot = latest_slot(now, subscription.timezone, subscription.weekday, subscription.time)
        if slot < subscription.subscribed_since:
            continue  # the chat or brand did not exist at that slot: nothing was missed
        period = digest_period(slot, subscription.timezone)
        claimed = subscription.last_period_start
        if claimed is not None and claimed >= period.start:
            continue
        if await _queue(sessionmaker, subscription, period, now):
            queued += 1
            logger.info(
                "digest queued: chat %s brand %s period %s..%s%s",
                subscription.chat_id,
                subscription.brand_id,
                period.first_day,
                period.last_day,
                " (late)" if now - slot > timedelta(minutes=5) else "",
            )
    return queued


async def _queue(
    sessionmaker: async_sessionmaker[AsyncSession],
    subscription: DigestSubscription,
    period: Period,
    now: datetime,
) -> bool:
    chat_id, brand_id = subscription.chat_id, subscription.brand_id
    async with sessionmaker() as session, session.begin():
        claimed = await digests.record_run(
            session,
            chat_id=chat_id,
            brand_id=brand_id,
            period_start=period.start,
            period_end=period.end,
            now=now,
        )
        if not claimed:  # another process claimed it since the subscriptions were read
            return False
        await outbox.enqueue(
            session,
            dedup_key=dedup_key(chat_id, brand_id, period.start),
            chat_id=chat_id,
            kind=OutboxKind.DIGEST,
            now=now,
            brand_id=brand_id,
            payload=digest_payload(brand_id, period),
        )
    return True


def _parse_time(value: str) -> time:
    try:
        return parse_hhmm(value)
    except ValueError:
        logger.warning("bad digest time %r, using %s", value, DEFAULT_TIME)
        return DEFAULT_TIME


def _local(day: date, at: time, timezone: str) -> datetime:
    return datetime.combine(day, at, zone(timezone))
