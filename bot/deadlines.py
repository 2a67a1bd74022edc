"""Deadline watch: remind before a case's response deadline, escalate to owners after it.

The core scheduler calls check_deadlines every minute with the current time; tests pass any
time they like. Each reminder and escalation is queued in the outbox once (cases.reminded_at /
escalated_at set in the same transaction; dedup keys guard against a second process).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common.vocabulary import OutboxKind
from storage.repositories import cases as cases_repo
from storage.repositories import members
from storage.repositories.brands import brand_chat_ids
from storage.repositories.cases import DeadlineCase
from storage.repositories.outbox import enqueue

log = logging.getLogger(__name__)

REMIND_AT = 0.75  # share of the response time after which the assignee is reminded


async def check_deadlines(sessionmaker: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Queue due reminders and escalations; returns how many outbox rows were queued."""
    queued = 0
    async with sessionmaker() as session:
        candidates = await cases_repo.unanswered_cases(session)
    for case in candidates:
        if now >= case.due_at:
            queued += await _escalate(sessionmaker, case, now)
        elif (
            case.reminded_at is None
            and now >= case.created_at + (case.due_at - case.created_at) * REMIND_AT
        ):
            queued += await _remind(sessionmaker, case, now)
    return queued


async def _remind(
    sessionmaker: async_sessionmaker[AsyncSession], case: DeadlineCase, now: datetime
) -> int:
    async with sessionmaker.begin() as session:
        if not await cases_repo.mark_deadline(session, case.id, column="reminded_at", now=now):
            return 0
        targets = (
            [case.assignee_id]
            if case.assignee_id
            else await brand_chat_ids(session, case.brand_id, mention_id=case.mention_id)
        )
        left = max(1, int((case.due_at - now).total_seconds() // 60))
        facts = {"minutes_left": left}
        return await _queue(session, OutboxKind.REMINDER, case, targets, now, facts)


async def _escalate(
    sessionmaker: async_sessionmaker[AsyncSession], case: DeadlineCase, now: datetime
) -> int:
    async with sessionmaker.begin() as session:
        if not await cases_repo.mark_deadline(session, case.id, column="escalated_at", now=now):
            return 0
        await cases_repo.mark_deadline(session, case.id, column="reminded_at", now=now)
        targets = await members.owners_of(session, case.brand_id) or await brand_chat_ids(
            session, case.brand_id, mention_id=case.mention_id
        )
        count = await _queue(session, OutboxKind.ESCALATION, case, targets, now)
        log.info("case %s overdue: escalated to %s", case.id, targets)
        return count


async def _queue(
    session: AsyncSession,
    kind: OutboxKind,
    case: DeadlineCase,
    targets: list[int],
    now: datetime,
    facts: dict[str, int] | None = None,
) -> int:
    """Queue the message (the case is its facts) once per target chat; returns rows queued."""
    queued = 0
    for chat_id in targets:
        queued += await enqueue(
            session,
            dedup_key=f"{kind}:{case.id}:{chat_id}",
            chat_id=chat_id,
            kind=kind,
            now=now,
            brand_id=case.brand_id,
            case_id=case.id,
            payload=facts,
        )
    return queued
