"""The alert outbox: queued in the deciding transaction, drained by the sender."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import OutboxKind, OutboxStatus
from storage.dialect import insert_ignoring_conflicts
from storage.models import Chat, OutboxMessage
from storage.records import OutboxRecord


async def enqueue(
    session: AsyncSession,
    *,
    dedup_key: str,
    chat_id: int,
    kind: str,
    now: datetime,
    brand_id: int | None = None,
    mention_id: int | None = None,
    case_id: int | None = None,
    payload: dict[str, Any] | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Queue a message unless one with the same key exists; True when queued now."""
    result = await session.execute(
        insert_ignoring_conflicts(session, OutboxMessage)
        .values(
            dedup_key=dedup_key,
            chat_id=chat_id,
            brand_id=brand_id,
            kind=kind,
            mention_id=mention_id,
            case_id=case_id,
            payload=payload or {},
            next_attempt_at=not_before or now,
            created_at=now,
        )
        .returning(OutboxMessage.id)
    )
    return result.first() is not None


async def due_messages(
    session: AsyncSession, now: datetime, *, limit: int = 20
) -> list[OutboxRecord]:
    rows = await session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    return [_record(row) for row in rows]


async def lock_due_message(
    session: AsyncSession, message_id: int, now: datetime
) -> OutboxRecord | None:
    """The message if it is still pending and due, held for this transaction; None when
    another sender holds it or it was sent, given up on or put back for later.

    On PostgreSQL the hold is an advisory lock on the message id, not a row lock: sending a
    digest records its progress in the row from another transaction meanwhile."""
    if session.get_bind().dialect.name == "postgresql":
        held = await session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:space, :id)"),
            {"space": _SENDING_LOCKS, "id": message_id},
        )
        if not held:
            return None
    row = await session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
        )
    )
    return None if row is None else _record(row)


_SENDING_LOCKS = 0x6F74  # advisory lock space of messages being sent ("ot")


def _record(row: OutboxMessage) -> OutboxRecord:
    return OutboxRecord(
        id=row.id,
        dedup_key=row.dedup_key,
        chat_id=row.chat_id,
        brand_id=row.brand_id,
        kind=row.kind,
        mention_id=row.mention_id,
        case_id=row.case_id,
        payload=dict(row.payload or {}),
        attempts=row.attempts,
        created_at=row.created_at,
    )


async def mark_sent(
    session: AsyncSession, message_id: int, *, telegram_id: int | None, now: datetime
) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(
            status=OutboxStatus.SENT,
            sent_message_id=telegram_id,
            sent_at=now,
            attempts=OutboxMessage.attempts + 1,
        )
    )


async def mark_skipped(session: AsyncSession, message_id: int, *, reason: str) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(
            status=OutboxStatus.SKIPPED,
            last_error=reason[:2000],
            attempts=OutboxMessage.attempts + 1,
        )
    )


async def mark_retry(
    session: AsyncSession, message_id: int, *, error: str, retry_at: datetime, give_up_after: int
) -> str:
    """Count a failed attempt; after `give_up_after` attempts the message is failed for good."""
    row = await session.get_one(OutboxMessage, message_id)
    row.attempts += 1
    row.last_error = error[:2000]
    row.next_attempt_at = retry_at
    if row.attempts >= give_up_after:
        row.status = OutboxStatus.FAILED
    return row.status


async def mark_chat_unavailable(
    session: AsyncSession, message_id: int, chat_id: int, *, error: str, now: datetime
) -> None:
    """The chat blocked the bot or is gone: skip its queued messages and stop queueing more."""
    await session.execute(update(Chat).where(Chat.id == chat_id).values(blocked_at=now))
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SKIPPED, last_error=error[:2000])
    )
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(attempts=OutboxMessage.attempts + 1)
    )


async def oldest_pending(session: AsyncSession, kind: str = OutboxKind.ALERT) -> datetime | None:
    """When the oldest message of `kind` still waiting to go out was queued."""
    return await session.scalar(
        select(func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.kind == kind
        )
    )
