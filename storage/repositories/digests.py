"""Digest bookkeeping: which chats get which brand's digest, and the once-per-period record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignoring_conflicts
from storage.models import Brand, BrandChat, Chat, DigestRun, OutboxMessage


@dataclass(frozen=True, slots=True)
class DigestSubscription:
    """A chat that receives a brand's weekly digest, with the chat's slot settings."""

    chat_id: int
    brand_id: int
    timezone: str
    weekday: int
    time: str
    subscribed_since: datetime
    last_period_start: datetime | None  # the latest period already claimed, if any


async def digest_subscriptions(session: AsyncSession) -> list[DigestSubscription]:
    """Chats with digests on and not blocked, one row per brand they follow, each with the
    latest period already claimed: one query tells the minute's check which ones are due."""
    last_run = (
        select(
            DigestRun.chat_id,
            DigestRun.brand_id,
            func.max(DigestRun.period_start).label("period_start"),
        )
        .group_by(DigestRun.chat_id, DigestRun.brand_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            BrandChat.chat_id, BrandChat.brand_id, Chat, Brand.created_at, last_run.c.period_start
        )
        .join(Chat, Chat.id == BrandChat.chat_id)
        .join(Brand, Brand.id == BrandChat.brand_id)
        .outerjoin(
            last_run,
            and_(
                last_run.c.chat_id == BrandChat.chat_id, last_run.c.brand_id == BrandChat.brand_id
            ),
        )
        .where(Chat.digest_enabled.is_(True), Chat.blocked_at.is_(None))
        .order_by(BrandChat.chat_id, BrandChat.brand_id)
    )
    return [
        DigestSubscription(
            chat_id=chat_id,
            brand_id=brand_id,
            timezone=chat.timezone,
            weekday=chat.digest_weekday,
            time=chat.digest_time,
            subscribed_since=max(chat.created_at, brand_created),
            last_period_start=last_claimed,
        )
        for chat_id, brand_id, chat, brand_created, last_claimed in rows.all()
    ]


async def record_run(
    session: AsyncSession,
    *,
    chat_id: int,
    brand_id: int,
    period_start: datetime,
    period_end: datetime,
    now: datetime,
) -> bool:
    """Claim the (chat, brand, period) digest; False when it was claimed before."""
    result = await session.execute(
        insert_ignoring_conflicts(session, DigestRun)
        .values(
            chat_id=chat_id,
            brand_id=brand_id,
            period_start=period_start,
            period_end=period_end,
            created_at=now,
        )
        .returning(DigestRun.id)
    )
    return result.first() is not None


async def outbox_payload(session: AsyncSession, message_id: int) -> dict[str, Any] | None:
    payload = await session.scalar(
        select(OutboxMessage.payload).where(OutboxMessage.id == message_id)
    )
    return None if payload is None else dict(payload)


async def save_outbox_payload(
    session: AsyncSession, message_id: int, payload: dict[str, Any]
) -> None:
    """Progress of a multi-part send, so a retry does not repeat the parts already sent."""
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(payload=payload)
    )


async def set_digest_slot(
    session: AsyncSession,
    chat_id: int,
    *,
    enabled: bool,
    weekday: int | None = None,
    time: str | None = None,
    timezone: str | None = None,
) -> None:
    """Change when (or whether) this chat gets its weekly digests."""
    values: dict[str, object] = {"digest_enabled": enabled}
    if weekday is not None:
        values["digest_weekday"] = weekday
    if time is not None:
        values["digest_time"] = time
    if timezone is not None:
        values["timezone"] = timezone
    await session.execute(update(Chat).where(Chat.id == chat_id).values(**values))
