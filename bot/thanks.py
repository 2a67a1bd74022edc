"""Thanks for praise: a positive review of a brand that asked for it gets a thank-you after
the brand's delay, inside its work hours. Published where the platform's API allows (the
team is told), else offered to the team as a ready text with one button to mark it posted.
Reviews flagged for a person (stars and text disagree) are never thanked automatically.

The core calls thank_for_praise every minute with the current time.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.case_actions import Publisher, reply_target
from bot.drafting import new_draft
from common.vocabulary import OutboxKind, PraiseState
from replies import Drafter
from replies.schedule import thanks_due
from storage.repositories import mentions as mentions_repo
from storage.repositories import praise as praise_repo
from storage.repositories.brands import brand_chat_ids
from storage.repositories.outbox import enqueue
from storage.repositories.praise import PraiseCandidate

log = logging.getLogger(__name__)


async def thank_for_praise(
    sessionmaker: async_sessionmaker[AsyncSession],
    drafter: Drafter,
    publisher: Publisher | None,
    now: datetime,
) -> int:
    """Thank every review now due; returns the outbox rows queued for the team."""
    async with sessionmaker() as session:
        found = await praise_repo.candidates(session)
    queued = 0
    for candidate in found:
        due = thanks_due(
            candidate.first_seen_at,
            delay_minutes=candidate.delay_minutes,
            work_start=candidate.work_start,
            work_end=candidate.work_end,
            work_days=candidate.work_days,
            tz=candidate.timezone,
        )
        if now >= due:
            queued += await _thank(sessionmaker, drafter, publisher, candidate, now)
    return queued


async def _thank(
    sessionmaker: async_sessionmaker[AsyncSession],
    drafter: Drafter,
    publisher: Publisher | None,
    candidate: PraiseCandidate,
    now: datetime,
) -> int:
    async with sessionmaker.begin() as session:
        praise_id = await praise_repo.claim(session, candidate.mention_id, candidate.brand_id, now)
        found = await mentions_repo.get_mentions(session, [candidate.mention_id])
        if praise_id is None or not found:
            return 0
        mention = found[0]
        draft = await new_draft(session, drafter, mention, case_id=None, actor_id=None, now=now)
        target = reply_target(mention)
        can_publish = publisher is not None and publisher.can_publish(target.kind)
        state = PraiseState.PUBLISHING if can_publish else PraiseState.SUGGESTED
        await praise_repo.set_state(session, praise_id, state, draft_id=draft.id)
    error = None
    if can_publish:
        assert publisher is not None
        try:
            await publisher.publish(target, draft.text)
            state = PraiseState.PUBLISHED
        except Exception as exc:  # any failure: the team gets the text to post by hand
            log.warning("thank-you for mention %s not published: %s", mention.id, exc)
            state, error = PraiseState.FAILED, str(exc)
    async with sessionmaker.begin() as session:
        await praise_repo.set_state(
            session,
            praise_id,
            state,
            error=error,
            now=now if state == PraiseState.PUBLISHED else None,
        )
        queued = 0
        for chat_id in await brand_chat_ids(
            session, candidate.brand_id, mention_id=candidate.mention_id
        ):
            queued += await enqueue(
                session,
                dedup_key=f"thanks:{praise_id}:{chat_id}",
                chat_id=chat_id,
                kind=OutboxKind.THANKS,
                now=now,
                brand_id=candidate.brand_id,
                mention_id=candidate.mention_id,
                payload={"praise_id": praise_id},
            )
    return queued
