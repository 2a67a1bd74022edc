"""The backlog on connect: what a source's first poll found that nobody has answered yet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import CaseEventKind, CaseStatus, Label, OutboxKind
from storage.models import Case, CaseEvent, Mention
from storage.records import BrandRecord, MentionRecord
from storage.repositories.brands import brand_chat_ids, brand_record
from storage.repositories.mentions import get_mentions
from storage.repositories.outbox import enqueue
from storage.repositories.triage import case_deadlines


@dataclass(frozen=True, slots=True)
class Backlog:
    total: int
    mentions: list[MentionRecord]


def _unanswered() -> ColumnElement[bool]:
    """History that is negative, still on the site, without the business's answer or a case."""
    return and_(
        Mention.backfill.is_(True),
        Mention.sentiment_label == Label.NEGATIVE,
        Mention.removed_at.is_(None),
        or_(Mention.business_reply.is_(None), Mention.business_reply == ""),
        ~select(Case.id).where(Case.mention_id == Mention.id).exists(),
    )


async def queue_connect_message(
    session: AsyncSession,
    *,
    source_id: int,
    brand_id: int,
    kind: str,
    read: int,
    days: int,
    now: datetime,
) -> None:
    """One message per chat once a source's first poll is stored, instead of a flood."""
    negative_open = await session.scalar(
        select(func.count())
        .select_from(Mention)
        .where(Mention.source_id == source_id, _unanswered())
    )
    for chat_id in await brand_chat_ids(session, brand_id, source_id=source_id):
        await enqueue(
            session,
            dedup_key=f"backlog:{source_id}:{chat_id}",
            chat_id=chat_id,
            kind=OutboxKind.BACKLOG,
            brand_id=brand_id,
            payload={
                "source_id": source_id,
                "source_kind": kind,
                "read": read,
                "days": days,
                "negative_open": int(negative_open or 0),
            },
            now=now,
        )


async def backlog(session: AsyncSession, brand_ids: list[int], *, limit: int = 10) -> Backlog:
    """Unanswered negative history of the brands, newest first."""
    where = and_(Mention.brand_id.in_(brand_ids), _unanswered())
    total = await session.scalar(select(func.count()).select_from(Mention).where(where))
    ids = await session.scalars(
        select(Mention.id)
        .where(where)
        .order_by(Mention.published_at.desc().nulls_last(), Mention.id.desc())
        .limit(limit)
    )
    found = await get_mentions(session, list(ids))
    found.sort(key=lambda m: m.published_at or m.first_seen_at, reverse=True)
    return Backlog(int(total or 0), found)


async def open_backlog_case(
    session: AsyncSession,
    mention_id: int,
    *,
    now: datetime,
    deadline: Callable[[datetime, BrandRecord], datetime],
    actor_id: int,
    actor_name: str | None,
) -> int | None:
    """A case for a backlog review, opened by a team member; None when it already has one."""
    if await session.scalar(select(Case.id).where(Case.mention_id == mention_id)) is not None:
        return None
    mention = await session.get_one(Mention, mention_id)
    brand = await brand_record(session, mention.brand_id)
    due_of = await case_deadlines(session, brand, [mention_id], now, deadline)
    case = Case(
        mention_id=mention_id,
        brand_id=mention.brand_id,
        status=CaseStatus.NEW,
        due_at=due_of[mention_id],
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    await session.flush()
    session.add(
        CaseEvent(
            case_id=case.id,
            actor_id=actor_id,
            actor_name=actor_name,
            action=CaseEventKind.OPENED,
            detail="backlog",
            created_at=now,
        )
    )
    return case.id
