"""Edited reviews: the revision history and the query for ratings raised after a reply."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import Label
from storage.models import Case, Mention, MentionRevision
from storage.records import ClassificationInput, NewMention
from storage.repositories.mentions import content_hash, set_classification


@dataclass(frozen=True, slots=True)
class Revision:
    """One edit as stored, with what the team is told about it."""

    id: int
    mention_id: int
    case_id: int | None
    old_rating: float | None
    new_rating: float | None
    old_label: str | None
    new_label: str | None
    after_reply: bool

    @property
    def rating_raised(self) -> bool:
        return (
            self.old_rating is not None
            and self.new_rating is not None
            and self.new_rating > self.old_rating
        )

    @property
    def turned_negative(self) -> bool:
        return self.new_label == Label.NEGATIVE and self.old_label != Label.NEGATIVE


@dataclass(frozen=True, slots=True)
class RatingRaise:
    mention_id: int
    brand_id: int
    case_id: int | None
    old_rating: float
    new_rating: float
    seen_at: datetime


async def record_edit(
    session: AsyncSession,
    mention_id: int,
    item: NewMention,
    verdict: ClassificationInput | None,
    *,
    now: datetime,
) -> Revision:
    """Keep what the review said, store what it says now and its new label.

    Without a verdict (the classifier is down) the mention is left for the pending pass.
    """
    row = await session.get_one(Mention, mention_id)
    case = await session.scalar(select(Case).where(Case.mention_id == mention_id))
    after_reply = bool(row.business_reply) or (
        case is not None and case.first_response_at is not None
    )
    revision = MentionRevision(
        mention_id=mention_id,
        seen_at=now,
        old_title=row.title,
        old_text=row.text,
        old_rating=row.rating,
        new_rating=item.rating,
        old_label=row.sentiment_label,
        new_label=verdict.label if verdict else None,
        after_reply=after_reply,
    )
    session.add(revision)
    row.title, row.text, row.rating = item.title, item.text, item.rating
    row.content_hash = content_hash(item)
    row.edited_at = now
    if verdict is None:
        row.classified_at = None
    else:
        await set_classification(session, mention_id, verdict, now)
    await session.flush()
    return Revision(
        id=revision.id,
        mention_id=mention_id,
        case_id=case.id if case is not None else None,
        old_rating=revision.old_rating,
        new_rating=revision.new_rating,
        old_label=revision.old_label,
        new_label=revision.new_label,
        after_reply=after_reply,
    )


async def ratings_raised_after_reply(
    session: AsyncSession,
    brand_ids: list[int],
    *,
    since: datetime,
    until: datetime,
    source_ids: Collection[int] | None = None,
    mention_id: int | None = None,
) -> list[RatingRaise]:
    """Edits seen in [since, until) that raised a review's stars after the business answered;
    only those of `source_ids` (a branch) or of one mention where given."""
    only: list[ColumnElement[bool]] = []
    if source_ids is not None:
        only.append(Mention.source_id.in_(source_ids))
    if mention_id is not None:
        only.append(Mention.id == mention_id)
    rows = await session.execute(
        select(MentionRevision, Mention.brand_id, Case.id)
        .join(Mention, Mention.id == MentionRevision.mention_id)
        .outerjoin(Case, Case.mention_id == Mention.id)
        .where(
            Mention.brand_id.in_(brand_ids),
            MentionRevision.after_reply.is_(True),
            MentionRevision.old_rating.is_not(None),
            MentionRevision.new_rating > MentionRevision.old_rating,
            MentionRevision.seen_at >= since,
            MentionRevision.seen_at < until,
            *only,
        )
        .order_by(MentionRevision.seen_at, MentionRevision.id)
    )
    return [
        RatingRaise(
            mention_id=revision.mention_id,
            brand_id=brand_id,
            case_id=case_id,
            old_rating=float(revision.old_rating or 0),
            new_rating=float(revision.new_rating or 0),
            seen_at=revision.seen_at,
        )
        for revision, brand_id, case_id in rows.all()
    ]
