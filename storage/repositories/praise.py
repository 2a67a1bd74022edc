"""Thanks for praise: positive reviews of brands that want them thanked, claimed once each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import Label, PraiseState
from storage.dialect import insert_ignoring_conflicts
from storage.models import Brand, Mention, PraiseReply, ReplyDraft, ReplySettings


@dataclass(frozen=True, slots=True)
class PraiseCandidate:
    """A positive review nobody has thanked yet, with what decides when to thank it."""

    mention_id: int
    brand_id: int
    first_seen_at: datetime
    delay_minutes: int
    work_start: str
    work_end: str
    work_days: str
    timezone: str


@dataclass(frozen=True, slots=True)
class PraiseRecord:
    id: int
    mention_id: int
    brand_id: int
    state: str
    text: str
    error: str | None


async def candidates(session: AsyncSession, *, limit: int = 200) -> list[PraiseCandidate]:
    """Positive reviews since thanks were switched on: not history, not flagged for a person
    (stars and text disagree), not answered on the site already, not thanked yet."""
    rows = await session.execute(
        select(
            Mention.id,
            Mention.brand_id,
            Mention.first_seen_at,
            ReplySettings.thanks_delay_minutes,
            Brand.work_start,
            Brand.work_end,
            Brand.work_days,
            Brand.timezone,
        )
        .join(Brand, Brand.id == Mention.brand_id)
        .join(ReplySettings, ReplySettings.brand_id == Mention.brand_id)
        .outerjoin(PraiseReply, PraiseReply.mention_id == Mention.id)
        .where(
            ReplySettings.thanks.is_(True),
            Mention.first_seen_at >= ReplySettings.thanks_since,
            Mention.sentiment_label == Label.POSITIVE,
            Mention.needs_review.is_(False),
            Mention.backfill.is_(False),
            Mention.business_reply.is_(None),
            PraiseReply.id.is_(None),
        )
        .order_by(Mention.first_seen_at, Mention.id)
        .limit(limit)
    )
    return [PraiseCandidate(*row) for row in rows.all()]


async def claim(session: AsyncSession, mention_id: int, brand_id: int, now: datetime) -> int | None:
    """The new praise reply's id, or None when another pass already claimed the review."""
    result = await session.execute(
        insert_ignoring_conflicts(session, PraiseReply)
        .values(
            mention_id=mention_id, brand_id=brand_id, state=PraiseState.PUBLISHING, created_at=now
        )
        .returning(PraiseReply.id)
    )
    row = result.first()
    return None if row is None else int(row[0])


async def set_state(
    session: AsyncSession,
    praise_id: int,
    state: str,
    *,
    draft_id: int | None = None,
    error: str | None = None,
    user_id: int | None = None,
    now: datetime | None = None,
) -> None:
    values: dict[str, object] = {"state": state}
    if draft_id is not None:
        values["draft_id"] = draft_id
    if error is not None:
        values["error"] = error[:2000]
    if now is not None:
        values.update(done_by=user_id, done_at=now)
    await session.execute(update(PraiseReply).where(PraiseReply.id == praise_id).values(values))


async def get(session: AsyncSession, praise_id: int) -> PraiseRecord | None:
    row = (
        await session.execute(
            select(PraiseReply, ReplyDraft.text)
            .join(ReplyDraft, ReplyDraft.id == PraiseReply.draft_id)
            .where(PraiseReply.id == praise_id)
        )
    ).first()
    if row is None:
        return None
    praise, text = row
    return PraiseRecord(
        praise.id, praise.mention_id, praise.brand_id, praise.state, text, praise.error
    )
