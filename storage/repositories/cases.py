"""Cases as the PR team works them: reading, changing with a history event, alert message ids,
deadline checks, response statistics and sentiment label corrections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Select, and_, case, func, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import AWAITING_STATUSES, OPEN_STATUSES, CaseStatus, OutboxKind
from storage.dialect import seconds_between
from storage.models import Branch, Brand, Case, CaseEvent, Member, Mention, OutboxMessage, Source


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """A case with what the chat shows about it (brand and assignee names included)."""

    id: int
    mention_id: int
    brand_id: int
    brand_name: str
    status: str
    assignee_id: int | None
    assignee_name: str | None
    due_at: datetime | None
    first_response_at: datetime | None
    reply_text: str | None
    reply_state: str | None
    reply_published_at: datetime | None
    ignore_reason: str | None
    reminded_at: datetime | None
    escalated_at: datetime | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    branch_id: int | None = None
    branch_name: str | None = None


@dataclass(frozen=True, slots=True)
class CaseListItem:
    case: CaseRecord
    source_kind: str
    author: str | None
    rating: float | None
    text: str
    timezone: str


@dataclass(frozen=True, slots=True)
class CaseEventRecord:
    actor_id: int | None
    actor_name: str | None
    action: str
    detail: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AlertMessage:
    """An alert the bot sent: where it is, so a case change can edit it."""

    chat_id: int
    message_id: int
    mention_id: int | None
    case_id: int | None


@dataclass(frozen=True, slots=True)
class DeadlineCase:
    id: int
    mention_id: int
    brand_id: int
    brand_name: str
    assignee_id: int | None
    status: str
    due_at: datetime
    created_at: datetime
    reminded_at: datetime | None
    escalated_at: datetime | None


@dataclass(frozen=True, slots=True)
class ResponseCounts:
    """A brand's cases over a period counted by the database, by reports.response's rule."""

    brand_id: int
    cases: int
    responded: int
    ignored: int
    on_time: int
    missed_deadlines: int
    open: int
    median_minutes: float | None


def _record(
    row: Case,
    brand_name: str,
    assignee_name: str | None,
    branch_id: int | None = None,
    branch_name: str | None = None,
) -> CaseRecord:
    return CaseRecord(
        id=row.id,
        mention_id=row.mention_id,
        brand_id=row.brand_id,
        brand_name=brand_name,
        status=row.status,
        assignee_id=row.assignee_id,
        assignee_name=assignee_name,
        due_at=row.due_at,
        first_response_at=row.first_response_at,
        reply_text=row.reply_text,
        reply_state=row.reply_state,
        reply_published_at=row.reply_published_at,
        ignore_reason=row.ignore_reason,
        reminded_at=row.reminded_at,
        escalated_at=row.escalated_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        closed_at=row.closed_at,
        branch_id=branch_id,
        branch_name=branch_name,
    )


def _case_query() -> Select[Case, str, str | None, int | None, str | None]:
    return (
        select(Case, Brand.name, Member.name, Source.branch_id, Branch.name)
        .join(Brand, Brand.id == Case.brand_id)
        .join(Mention, Mention.id == Case.mention_id)
        .join(Source, Source.id == Mention.source_id)
        .outerjoin(Branch, Branch.id == Source.branch_id)
        .outerjoin(
            Member, and_(Member.brand_id == Case.brand_id, Member.user_id == Case.assignee_id)
        )
    )


async def get_case(session: AsyncSession, case_id: int) -> CaseRecord | None:
    row = (await session.execute(_case_query().where(Case.id == case_id))).first()
    return None if row is None else _record(*row)


async def case_for_mention(session: AsyncSession, mention_id: int) -> CaseRecord | None:
    row = (await session.execute(_case_query().where(Case.mention_id == mention_id))).first()
    return None if row is None else _record(*row)


async def list_cases(
    session: AsyncSession,
    brand_ids: list[int],
    *,
    statuses: tuple[str, ...] = OPEN_STATUSES,
    source_kind: str | None = None,
    branches: dict[int, int] | None = None,
    limit: int = 20,
) -> list[CaseListItem]:
    """`branches`: brand id → the one branch whose cases are listed for that brand."""
    query = (
        select(
            Case,
            Brand.name,
            Member.name,
            Source.kind,
            Mention.author,
            Mention.rating,
            Mention.text,
            Brand.timezone,
            Source.branch_id,
            Branch.name,
        )
        .join(Brand, Brand.id == Case.brand_id)
        .join(Mention, Mention.id == Case.mention_id)
        .join(Source, Source.id == Mention.source_id)
        .outerjoin(Branch, Branch.id == Source.branch_id)
        .outerjoin(
            Member, and_(Member.brand_id == Case.brand_id, Member.user_id == Case.assignee_id)
        )
        .where(Case.brand_id.in_(brand_ids), Case.status.in_(statuses))
        .order_by(Case.due_at.is_(None), Case.due_at, Case.id)
        .limit(limit)
    )
    if source_kind:
        query = query.where(Source.kind == source_kind)
    for brand_id, branch_id in (branches or {}).items():
        query = query.where(or_(Case.brand_id != brand_id, Source.branch_id == branch_id))
    rows = (await session.execute(query)).all()
    return [
        CaseListItem(
            _record(case, brand, assignee, branch_id, branch), kind, author, rating, text, tz
        )
        for case, brand, assignee, kind, author, rating, text, tz, branch_id, branch in rows
    ]


async def case_events(session: AsyncSession, case_id: int) -> list[CaseEventRecord]:
    rows = await session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.created_at, CaseEvent.id)
    )
    return [
        CaseEventRecord(r.actor_id, r.actor_name, r.action, r.detail, r.created_at) for r in rows
    ]


async def change_case(
    session: AsyncSession,
    case_id: int,
    *,
    now: datetime,
    action: str,
    actor_id: int | None,
    actor_name: str | None,
    detail: str | None = None,
    **values: Any,
) -> CaseRecord:
    """Set the given columns and record who did what, in the caller's transaction."""
    await session.execute(update(Case).where(Case.id == case_id).values(updated_at=now, **values))
    session.add(
        CaseEvent(
            case_id=case_id,
            actor_id=actor_id,
            actor_name=actor_name,
            action=action,
            detail=detail,
            created_at=now,
        )
    )
    await session.flush()
    record = await get_case(session, case_id)
    assert record is not None, f"case {case_id} vanished inside its own transaction"
    return record


async def alert_messages(
    session: AsyncSession, *, case_id: int | None = None, mention_id: int | None = None
) -> list[AlertMessage]:
    """Alerts already delivered for a case (or a mention without a case)."""
    query = select(OutboxMessage).where(
        OutboxMessage.kind == OutboxKind.ALERT, OutboxMessage.sent_message_id.is_not(None)
    )
    if case_id is not None:
        query = query.where(OutboxMessage.case_id == case_id)
    else:
        query = query.where(OutboxMessage.mention_id == mention_id)
    rows = await session.scalars(query.order_by(OutboxMessage.id))
    return [
        AlertMessage(r.chat_id, int(r.sent_message_id or 0), r.mention_id, r.case_id) for r in rows
    ]


async def alert_at(session: AsyncSession, chat_id: int, message_id: int) -> AlertMessage | None:
    row = await session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.kind == OutboxKind.ALERT,
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.sent_message_id == message_id,
        )
    )
    return (
        None if row is None else AlertMessage(row.chat_id, message_id, row.mention_id, row.case_id)
    )


async def unanswered_cases(session: AsyncSession) -> list[DeadlineCase]:
    """Open cases with a deadline and no first response that still owe a reminder or escalation."""
    rows = await session.execute(
        select(Case, Brand.name)
        .join(Brand, Brand.id == Case.brand_id)
        .where(
            Case.status.in_(AWAITING_STATUSES),
            Case.due_at.is_not(None),
            Case.first_response_at.is_(None),
            Case.escalated_at.is_(None),
        )
        .order_by(Case.due_at)
    )
    return [
        DeadlineCase(
            c.id,
            c.mention_id,
            c.brand_id,
            name,
            c.assignee_id,
            c.status,
            c.due_at,
            c.created_at,
            c.reminded_at,
            c.escalated_at,
        )
        for c, name in rows.all()
        if c.due_at is not None
    ]


async def mark_deadline(session: AsyncSession, case_id: int, *, column: str, now: datetime) -> bool:
    """Set reminded_at / escalated_at once; False when another process already did."""
    target = getattr(Case, column)
    result = await session.execute(
        update(Case).where(Case.id == case_id, target.is_(None)).values({column: now})
    )
    return bool(cast(CursorResult[Any], result).rowcount)


async def response_counts(
    session: AsyncSession, brand_ids: list[int], since: datetime, cutoff: datetime
) -> dict[int, ResponseCounts]:
    """Per brand, the cases opened since `since` counted as reports.response_figures counts
    them as of `cutoff` (tests hold the two to the same answers), in SQL over
    ix_cases_brand_created: a brand with hundreds of thousands of cases must not be loaded
    row by row. Brands without cases are left out."""
    if not brand_ids:
        return {}
    return await _response_counts(
        session, Case.brand_id, Case.brand_id.in_(brand_ids), since, cutoff, by_source=False
    )


async def branch_response_counts(
    session: AsyncSession, brand_id: int, since: datetime, cutoff: datetime
) -> dict[int, ResponseCounts]:
    """The same per branch of one brand (a case belongs to its mention's source's branch):
    a chain's 300 branches are counted by the database, not by re-filtering its cases."""
    return await _response_counts(
        session,
        Source.branch_id,
        and_(Case.brand_id == brand_id, Source.branch_id.is_not(None)),
        since,
        cutoff,
        by_source=True,
    )


async def _response_counts(
    session: AsyncSession,
    key: Any,
    scope: Any,
    since: datetime,
    cutoff: datetime,
    *,
    by_source: bool,
) -> dict[int, ResponseCounts]:
    in_range = and_(scope, Case.created_at >= since)
    answered = and_(Case.first_response_at.is_not(None), Case.first_response_at <= cutoff)
    ignored = and_(not_(answered), Case.status == CaseStatus.IGNORED)
    late = and_(answered, Case.due_at.is_not(None), Case.first_response_at > Case.due_at)
    overdue = and_(not_(answered), Case.due_at.is_not(None), Case.due_at < cutoff)

    def count(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    def scoped(query: Any) -> Any:
        if not by_source:
            return query
        return query.join(Mention, Mention.id == Case.mention_id).join(
            Source, Source.id == Mention.source_id
        )

    counts = await session.execute(
        scoped(
            select(
                key,
                Case.brand_id,
                func.count(),
                count(answered),
                count(ignored),
                count(and_(answered, not_(late))),
                count(and_(not_(ignored), or_(late, overdue))),
                count(Case.status.in_(OPEN_STATUSES)),
            ).select_from(Case)
        )
        .where(in_range)
        .group_by(key, Case.brand_id)
    )
    waits = (
        scoped(
            select(
                key.label("key"),
                seconds_between(Case.first_response_at, Case.created_at).label("wait"),
            ).select_from(Case)
        )
        .where(in_range, answered)
        .subquery()
    )
    # The median by position, which both SQLite and PostgreSQL can do: the middle row, or the
    # mean of the two middle rows, of each group's waits in order.
    ranked = select(
        waits.c.key,
        waits.c.wait,
        func.row_number().over(partition_by=waits.c.key, order_by=waits.c.wait).label("n"),
        func.count().over(partition_by=waits.c.key).label("size"),
    ).subquery()
    medians = dict(
        (
            await session.execute(
                select(ranked.c.key, func.avg(ranked.c.wait))
                .where(ranked.c.n.in_([(ranked.c.size + 1) // 2, (ranked.c.size + 2) // 2]))
                .group_by(ranked.c.key)
            )
        ).all()
    )
    return {
        group: ResponseCounts(
            brand_id=brand_id,
            cases=total,
            responded=int(responded or 0),
            ignored=int(ignored_count or 0),
            on_time=int(on_time or 0),
            missed_deadlines=int(missed or 0),
            open=int(still_open or 0),
            median_minutes=(round(float(medians[group]) / 60, 1) if group in medians else None),
        )
        for group, brand_id, total, responded, ignored_count, on_time, missed, still_open in counts
    }
