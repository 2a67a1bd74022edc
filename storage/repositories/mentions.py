"""Mentions: idempotent insertion and reads."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import bulk_insert_ignoring_conflicts
from storage.models import Brand, Mention, Source
from storage.records import ClassificationInput, MentionRecord, NewMention

# Rows per INSERT: well under SQLite's bound-variable limit with ~20 columns a row.
_CHUNK = 400
_SPACES = re.compile(r"\s+")


def content_hash(item: NewMention) -> str:
    """Stable fingerprint of what a review says, for sources that give no id."""
    parts = [item.author or "", item.title or "", item.text]
    normalised = "\x1f".join(_SPACES.sub(" ", part).strip().casefold() for part in parts)
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def dedup_key(item: NewMention, digest: str | None = None) -> str:
    """The site's id, or the content hash (`digest` when the caller already has it)."""
    if item.external_id:
        return item.external_id[:300]
    return "sha256:" + (digest or content_hash(item))


async def known_keys(session: AsyncSession, source_id: int, keys: Iterable[str]) -> set[str]:
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(
            await session.scalars(
                select(Mention.dedup_key).where(
                    Mention.source_id == source_id, Mention.dedup_key.in_(chunk)
                )
            )
        )
    return found


async def insert_mentions(
    session: AsyncSession,
    *,
    source_id: int,
    brand_id: int,
    items: Sequence[NewMention],
    classifications: Sequence[ClassificationInput | None],
    backfill: bool,
    now: datetime,
) -> list[tuple[int, NewMention, ClassificationInput | None]]:
    """Insert what is not stored yet; returns (id, item, classification) of the new rows only."""
    rows = []
    by_key: dict[str, tuple[NewMention, ClassificationInput | None]] = {}
    for item, verdict in zip(items, classifications, strict=True):
        digest = content_hash(item)
        key = dedup_key(item, digest)
        if key in by_key:
            continue
        by_key[key] = (item, verdict)
        rows.append(
            {
                "source_id": source_id,
                "brand_id": brand_id,
                "dedup_key": key,
                "external_id": item.external_id,
                "content_hash": digest,
                "url": item.url,
                "author": (item.author or None) and item.author[:300],
                "rating": item.rating,
                "title": item.title,
                "text": item.text,
                "business_reply": item.business_reply,
                "published_at": item.published_at,
                "first_seen_at": now,
                "language": item.language,
                "extra": dict(item.extra),
                "backfill": backfill,
                "sentiment_label": verdict.label if verdict else None,
                "sentiment_score": verdict.score if verdict else None,
                "sentiment_scores": verdict.scores if verdict else None,
                "needs_review": verdict.needs_review if verdict else False,
                "touchpoints": verdict.touchpoints if verdict else [],
                "classified_at": now if verdict else None,
            }
        )
    if not rows:
        return []
    table = Mention.__table__
    statement = bulk_insert_ignoring_conflicts(session, Mention).returning(
        table.c.id, table.c.dedup_key
    )
    created = []
    for mention_id, key in (await session.execute(statement, rows)).all():
        item, verdict = by_key[key]
        created.append((mention_id, item, verdict))
    return created


async def unclassified(session: AsyncSession, *, limit: int) -> list[MentionRecord]:
    """Mentions stored while the classifier was failing; classified by a later pass."""
    rows = await session.execute(
        _record_query().where(Mention.classified_at.is_(None)).order_by(Mention.id).limit(limit)
    )
    return [_record(*row) for row in rows.all()]


async def set_classification(
    session: AsyncSession, mention_id: int, verdict: ClassificationInput, now: datetime
) -> None:
    row = await session.get_one(Mention, mention_id)
    row.sentiment_label = verdict.label
    row.sentiment_score = verdict.score
    row.sentiment_scores = verdict.scores
    row.touchpoints = verdict.touchpoints
    row.needs_review = verdict.needs_review
    row.classified_at = now


async def get_mentions(session: AsyncSession, ids: Sequence[int]) -> list[MentionRecord]:
    if not ids:
        return []
    rows = await session.execute(
        _record_query().where(Mention.id.in_(list(ids))).order_by(Mention.id)
    )
    return [_record(*row) for row in rows.all()]


def _record_query() -> Select[Mention, str, str]:
    return (
        select(Mention, Brand.name, Source.kind)
        .join(Brand, Brand.id == Mention.brand_id)
        .join(Source, Source.id == Mention.source_id)
    )


def _record(row: Mention, brand_name: str, kind: str) -> MentionRecord:
    return MentionRecord(
        id=row.id,
        source_id=row.source_id,
        brand_id=row.brand_id,
        brand_name=brand_name,
        source_kind=kind,
        external_id=row.external_id,
        url=row.url,
        author=row.author,
        rating=row.rating,
        title=row.title,
        text=row.text,
        business_reply=row.business_reply,
        published_at=row.published_at,
        first_seen_at=row.first_seen_at,
        backfill=row.backfill,
        sentiment_label=row.sentiment_label,
        sentiment_score=row.sentiment_score,
        needs_review=row.needs_review,
        touchpoints=list(row.touchpoints or []),
    )
