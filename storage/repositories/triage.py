"""Cases and alerts for freshly stored mentions, in the transaction that stored them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Brand, Case, CaseEvent
from storage.repositories.brands import brand_chat_ids
from storage.repositories.outbox import enqueue


@dataclass(frozen=True, slots=True)
class Triaged:
    cases_opened: int
    alerts_queued: int


async def open_cases_and_alerts(
    session: AsyncSession,
    *,
    brand_id: int,
    mentions: Sequence[tuple[int, str | None]],
    now: datetime,
    deadline: Callable[[datetime, Brand], datetime],
) -> Triaged:
    """mentions: (mention id, sentiment label) of new, non-backfill mentions.

    Every negative one gets a case with a deadline; alerts follow the brand's alert_on.
    """
    brand = await session.get_one(Brand, brand_id)
    chats = await brand_chat_ids(session, brand_id)
    cases = alerts = 0
    for mention_id, label in mentions:
        case_id = None
        if label == "negative":
            case = Case(
                mention_id=mention_id,
                brand_id=brand_id,
                status="new",
                due_at=deadline(now, brand),
                created_at=now,
                updated_at=now,
            )
            session.add(case)
            await session.flush()
            session.add(CaseEvent(case_id=case.id, action="opened", created_at=now))
            case_id = case.id
            cases += 1
        wants_alert = brand.alert_on == "all" or (
            brand.alert_on == "negative" and label == "negative"
        )
        if not wants_alert:
            continue
        for chat_id in chats:
            queued = await enqueue(
                session,
                dedup_key=f"alert:{mention_id}:{chat_id}",
                chat_id=chat_id,
                kind="alert",
                brand_id=brand_id,
                mention_id=mention_id,
                case_id=case_id,
                now=now,
            )
            alerts += int(queued)
    return Triaged(cases_opened=cases, alerts_queued=alerts)
