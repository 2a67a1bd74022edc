"""Cases and alerts for freshly stored mentions, in the transaction that stored them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import AlertOn, CaseEventKind, CaseStatus, Label, OutboxKind, OutboxStatus
from storage.dialect import bulk_insert_ignoring_conflicts
from storage.models import Case, CaseEvent, OutboxMessage
from storage.records import BrandRecord
from storage.repositories import branches
from storage.repositories.brands import brand_record


@dataclass(frozen=True, slots=True)
class Triaged:
    cases_opened: int
    alerts_queued: int


async def case_deadlines(
    session: AsyncSession,
    brand: BrandRecord,
    mention_ids: Sequence[int],
    now: datetime,
    deadline: Callable[[datetime, BrandRecord], datetime],
) -> dict[int, datetime]:
    """When each mention's new case is due: a branch in another time zone counts working hours
    on its own clock."""
    zones = await branches.mention_zones(session, list(mention_ids))
    due = deadline(now, brand)
    return {
        mention_id: deadline(now, replace(brand, timezone=zones[mention_id]))
        if mention_id in zones
        else due
        for mention_id in mention_ids
    }


async def open_cases_and_alerts(
    session: AsyncSession,
    *,
    brand_id: int,
    mentions: Sequence[tuple[int, str | None]],
    now: datetime,
    deadline: Callable[[datetime, BrandRecord], datetime],
    alert_key_suffix: str = "",
) -> Triaged:
    """mentions: (mention id, sentiment label) of new, non-backfill mentions.

    Every negative one gets a case with a deadline; alerts follow the brand's alert_on.
    Written in bulk: a busy source can bring hundreds of reviews in one poll.
    `alert_key_suffix` makes a second alert for a mention possible (it turned negative).
    """
    if not mentions:
        return Triaged(0, 0)
    brand = await brand_record(session, brand_id)
    if brand.competitor_of_id is not None:
        return Triaged(0, 0)  # a competitor's reviews are for comparison, not for our team
    negative_ids = [mention_id for mention_id, label in mentions if label == Label.NEGATIVE]
    due_of = await case_deadlines(session, brand, negative_ids, now, deadline)
    case_of: dict[int, int] = {}
    if negative_ids:
        cases = Case.__table__.c
        result = await session.execute(
            bulk_insert_ignoring_conflicts(session, Case).returning(cases.id, cases.mention_id),
            [
                {
                    "mention_id": mention_id,
                    "brand_id": brand_id,
                    "status": CaseStatus.NEW,
                    "due_at": due_of[mention_id],
                    "created_at": now,
                    "updated_at": now,
                }
                for mention_id in negative_ids
            ],
        )
        case_of = {mention_id: case_id for case_id, mention_id in result.all()}
    if case_of:
        await session.execute(
            insert(cast(Table, CaseEvent.__table__)),
            [
                {"case_id": case_id, "action": CaseEventKind.OPENED, "created_at": now}
                for case_id in case_of.values()
            ],
        )

    wanted = [
        mention_id
        for mention_id, label in mentions
        if brand.alert_on == AlertOn.ALL
        or (brand.alert_on == AlertOn.NEGATIVE and label == Label.NEGATIVE)
    ]
    routes = await branches.alert_routes(session, brand_id, wanted)
    alerts: list[dict[str, Any]] = [
        {
            "dedup_key": f"alert:{mention_id}:{chat_id}{alert_key_suffix}",
            "chat_id": chat_id,
            "brand_id": brand_id,
            "kind": OutboxKind.ALERT,
            "mention_id": mention_id,
            "case_id": case_of.get(mention_id),
            "payload": {},
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for mention_id in wanted
        for chat_id in routes.get(mention_id, ())
    ]
    queued = 0
    if alerts:
        outbox = OutboxMessage.__table__.c
        result = await session.execute(
            bulk_insert_ignoring_conflicts(session, OutboxMessage).returning(outbox.id), alerts
        )
        queued = len(result.all())
    return Triaged(cases_opened=len(case_of), alerts_queued=queued)
