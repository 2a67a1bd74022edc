"""Label corrections: a person's verdict on a mention's sentiment, kept for retraining."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import Label
from storage.models import Brand, LabelCorrection, Mention

VALID_LABELS = tuple(Label)


@dataclass(frozen=True, slots=True)
class CorrectionRecord:
    """The latest corrected label of one mention, with what the model needs to learn from it."""

    mention_id: int
    text: str
    label: str
    rating: float | None
    brand: str | None
    corrected_at: datetime


async def add_correction(
    session: AsyncSession,
    mention_id: int,
    new_label: str,
    user_id: int,
    *,
    now: datetime | None = None,
) -> int:
    """Store a correction and relabel the mention (it now needs no review). Returns the
    correction id; an unknown label or mention is a ValueError, nothing is written."""
    if new_label not in VALID_LABELS:
        raise ValueError(f"label must be one of {', '.join(VALID_LABELS)}, not {new_label!r}")
    found = (
        await session.execute(
            select(Mention.id, Mention.sentiment_label).where(Mention.id == mention_id)
        )
    ).first()
    if found is None:
        raise ValueError(f"no mention {mention_id}")
    old_label = found.sentiment_label
    correction = LabelCorrection(
        mention_id=mention_id,
        old_label=old_label,
        new_label=new_label,
        user_id=user_id,
        created_at=now or datetime.now(UTC),
    )
    session.add(correction)
    await session.execute(
        update(Mention)
        .where(Mention.id == mention_id)
        .values(sentiment_label=new_label, needs_review=False)
    )
    await session.flush()
    return correction.id


async def corrections_for_training(session: AsyncSession) -> list[CorrectionRecord]:
    """One row per corrected mention with text: its most recent correction wins."""
    rows = await session.execute(
        select(
            LabelCorrection.mention_id,
            Mention.title,
            Mention.text,
            LabelCorrection.new_label,
            Mention.rating,
            Brand.name,
            LabelCorrection.created_at,
        )
        .join(Mention, Mention.id == LabelCorrection.mention_id)
        .join(Brand, Brand.id == Mention.brand_id)
        .order_by(LabelCorrection.mention_id, LabelCorrection.created_at, LabelCorrection.id)
    )
    latest: dict[int, CorrectionRecord] = {}
    for mention_id, title, text, label, rating, brand, created_at in rows:
        if label not in VALID_LABELS:
            continue
        body = "\n".join(part for part in (title, text) if part)
        if not body.strip():
            continue
        latest[mention_id] = CorrectionRecord(mention_id, body, label, rating, brand, created_at)
    return list(latest.values())
