"""What happens to cases and chats when a known review changes on the site: edited, answered by
the business on the platform, removed. Runs in the poll's transaction; messages go through the
outbox as facts (kind "review_update") that the bot renders."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import (
    AWAITING_STATUSES,
    CLOSED_STATUSES,
    CaseEventKind,
    CaseStatus,
    Label,
    OutboxKind,
    ReplyState,
    ReviewChange,
)
from storage.models import Case, Mention, OutboxMessage
from storage.records import BrandRecord
from storage.repositories.brands import brand_chat_ids
from storage.repositories.cases import change_case
from storage.repositories.mentions import chunks, set_removed
from storage.repositories.outbox import enqueue
from storage.repositories.revisions import Revision
from storage.repositories.triage import open_cases_and_alerts

Deadline = Callable[[datetime, BrandRecord], datetime]
# Case events written by the poll, not by a person.
REMOVED_REASON = "removed from the site"


def _stars(rating: float | None) -> str:
    return "—" if rating is None else f"{rating:g}★"


async def edits_seen(
    session: AsyncSession,
    *,
    brand_id: int,
    revisions: Sequence[Revision],
    now: datetime,
    deadline: Deadline,
) -> int:
    """Tell the team about edits once each; returns the alerts queued for reviews that turned
    negative. A raised rating on a case (or after a reply) is news; any other edit only
    refreshes the alerts already sent."""
    alerts = 0
    for revision in revisions:
        if revision.case_id is not None:
            await change_case(
                session,
                revision.case_id,
                now=now,
                action=CaseEventKind.EDITED,
                actor_id=None,
                actor_name=None,
                detail=f"{_stars(revision.old_rating)} → {_stars(revision.new_rating)}",
            )
        if revision.turned_negative:
            triaged = await open_cases_and_alerts(
                session,
                brand_id=brand_id,
                mentions=[(revision.mention_id, Label.NEGATIVE)],
                now=now,
                deadline=deadline,
                alert_key_suffix=f":r{revision.id}",
            )
            alerts += triaged.alerts_queued
            continue
        news = revision.rating_raised and (revision.case_id is not None or revision.after_reply)
        chats = (
            await brand_chat_ids(session, brand_id, mention_id=revision.mention_id)
            if news
            else (await _alerted_chats(session, [revision.mention_id])).get(revision.mention_id, [])
        )
        facts: dict[str, Any] = {
            "change": ReviewChange.RATING_RAISED if news else ReviewChange.EDITED
        }
        if news:
            facts |= {
                "old_rating": revision.old_rating,
                "new_rating": revision.new_rating,
                "after_reply": revision.after_reply,
            }
        await _queue_update(
            session,
            brand_id=brand_id,
            mention_id=revision.mention_id,
            case_id=revision.case_id,
            chats=chats,
            key=f"r{revision.id}",
            facts=facts,
            now=now,
        )
    return alerts


async def replies_seen(
    session: AsyncSession, *, brand_id: int, replies: Sequence[tuple[int, str]], now: datetime
) -> int:
    """The business answered on the platform: store the answer, and a case still awaiting one
    is replied (published, first response now) without anyone pressing a button. Returns the
    cases marked."""
    ids = [mention_id for mention_id, _ in replies]
    mentions: dict[int, Mention] = {}
    cases: dict[int, Case] = {}
    for chunk in chunks(ids):
        mentions |= {
            m.id: m for m in await session.scalars(select(Mention).where(Mention.id.in_(chunk)))
        }
        cases |= {
            c.mention_id: c
            for c in await session.scalars(select(Case).where(Case.mention_id.in_(chunk)))
        }
    marked = []
    for mention_id, reply in replies:
        mentions[mention_id].business_reply = reply
        case = cases.get(mention_id)
        if (
            case is None
            or case.status in CLOSED_STATUSES
            or case.reply_state == ReplyState.PUBLISHED
        ):
            continue
        values: dict[str, Any] = {
            "reply_state": ReplyState.PUBLISHED,
            "reply_published_at": now,
            "first_response_at": case.first_response_at or now,
            "reply_text": case.reply_text or reply,
        }
        if case.status in AWAITING_STATUSES:
            values["status"] = CaseStatus.REPLIED
        await change_case(
            session,
            case.id,
            now=now,
            action=CaseEventKind.REPLY_SEEN,
            actor_id=None,
            actor_name=None,
            detail=reply[:500],
            **values,
        )
        marked.append((mention_id, case.id))
    alerted = await _alerted_chats(session, [mention_id for mention_id, _ in marked])
    for mention_id, case_id in marked:
        await _queue_update(
            session,
            brand_id=brand_id,
            mention_id=mention_id,
            case_id=case_id,
            chats=alerted.get(mention_id, []),
            key="reply",
            facts={"change": "reply_seen"},
            now=now,
        )
    return len(marked)


async def removed_seen(
    session: AsyncSession, *, brand_id: int, mention_ids: Sequence[int], now: datetime
) -> int:
    """Mark reviews the site no longer lists as removed (kept) and close their open cases with
    that reason; returns the cases closed."""
    await set_removed(session, mention_ids, now)
    closed = 0
    cases = [
        case
        for chunk in chunks(mention_ids)
        for case in await session.scalars(select(Case).where(Case.mention_id.in_(chunk)))
    ]
    for case in cases:
        if case.status not in CLOSED_STATUSES:
            await change_case(
                session,
                case.id,
                now=now,
                action=CaseEventKind.REMOVED,
                actor_id=None,
                actor_name=None,
                detail=REMOVED_REASON,
                status=CaseStatus.RESOLVED,
                closed_at=now,
            )
            closed += 1
    alerted = await _alerted_chats(session, mention_ids)
    for mention_id in mention_ids:
        await _queue_update(
            session,
            brand_id=brand_id,
            mention_id=mention_id,
            case_id=None,
            chats=alerted.get(mention_id, []),
            key=f"removed:{now.isoformat()}",
            facts={"change": ReviewChange.REMOVED},
            now=now,
        )
    return closed


async def _alerted_chats(session: AsyncSession, mention_ids: Sequence[int]) -> dict[int, list[int]]:
    """The chats each mention's alert went to, a query per chunk (a full listing may remove or
    answer hundreds at once)."""
    chats: dict[int, set[int]] = {}
    for chunk in chunks(mention_ids):
        rows = await session.execute(
            select(OutboxMessage.mention_id, OutboxMessage.chat_id)
            .where(OutboxMessage.kind == OutboxKind.ALERT, OutboxMessage.mention_id.in_(chunk))
            .distinct()
        )
        for mention_id, chat_id in rows.all():
            if mention_id is not None:
                chats.setdefault(mention_id, set()).add(chat_id)
    return {mention_id: sorted(ids) for mention_id, ids in chats.items()}


async def _queue_update(
    session: AsyncSession,
    *,
    brand_id: int,
    mention_id: int,
    case_id: int | None,
    chats: Sequence[int],
    key: str,
    facts: dict[str, Any],
    now: datetime,
) -> None:
    for chat_id in chats:
        await enqueue(
            session,
            dedup_key=f"update:{mention_id}:{key}:{chat_id}",
            chat_id=chat_id,
            kind=OutboxKind.REVIEW_UPDATE,
            brand_id=brand_id,
            mention_id=mention_id,
            case_id=case_id,
            payload=facts,
            now=now,
        )
