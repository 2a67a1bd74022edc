"""Mentions: idempotent insertion and reads."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import ARRAY, Select, String, and_, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import bulk_insert_ignoring_conflicts
from storage.models import Branch, Brand, Mention, Source
from storage.records import ClassificationInput, MentionRecord, NewMention, StoredMention

# Values per statement: well under SQLite's bound-variable limit, with ~20 columns a row.
_CHUNK = 400
_SPACES = re.compile(r"\s+")

T = TypeVar("T")


def chunks(values: Sequence[T]) -> list[list[T]]:
    """`values` in pieces small enough for one statement's IN list on any database."""
    return [list(values[start : start + _CHUNK]) for start in range(0, len(values), _CHUNK)]


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


async def stored_mentions(
    session: AsyncSession, source_id: int, keys: Iterable[str]
) -> dict[str, StoredMention]:
    """The stored reviews among `keys`, by key: what the site lists again."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    columns = (
        Mention.id,
        Mention.dedup_key,
        Mention.title,
        Mention.text,
        Mention.rating,
        Mention.business_reply,
        Mention.sentiment_label,
        Mention.backfill,
        Mention.removed_at,
    )
    found: dict[str, StoredMention] = {}
    if session.get_bind().dialect.name == "postgresql":
        # `dedup_key IN (...400 values)` is planned as a scan of all the source's rows (50k at
        # 1M mentions: 0.6 s a poll, custom or generic plan alike); one index probe per key,
        # joined from an array, stays at a few ms at any size.
        keys_table = (
            func.unnest(bindparam("keys", wanted, type_=ARRAY(String)))
            .table_valued("key")
            .render_derived(name="wanted")
        )
        rows = await session.execute(
            select(*columns)
            .select_from(keys_table)
            .join(
                Mention,
                and_(Mention.source_id == source_id, Mention.dedup_key == keys_table.c.key),
            )
        )
        return {row.dedup_key: StoredMention(*row) for row in rows.all()}
    for chunk in chunks(wanted):
        rows = await session.execute(
            select(*columns).where(Mention.source_id == source_id, Mention.dedup_key.in_(chunk))
        )
        for row in rows.all():
            found[row.dedup_key] = StoredMention(*row)
    return found


async def held_count(session: AsyncSession, source_ids: Sequence[int]) -> dict[int, int]:
    """Reviews held per source, removed ones not counted: the figure set against the site's."""
    if not source_ids:
        return {}
    rows = await session.execute(
        select(Mention.source_id, func.count())
        .where(Mention.source_id.in_(list(source_ids)), Mention.removed_at.is_(None))
        .group_by(Mention.source_id)
    )
    counts = {source_id: 0 for source_id in source_ids}
    counts.update({source_id: int(count) for source_id, count in rows.all()})
    return counts


async def missing_from_listing(
    session: AsyncSession, source_id: int, listed: set[str]
) -> list[int]:
    """Stored, not removed reviews of the source whose keys a full listing no longer shows."""
    rows = await session.execute(
        select(Mention.id, Mention.dedup_key).where(
            Mention.source_id == source_id, Mention.removed_at.is_(None)
        )
    )
    return [mention_id for mention_id, key in rows.all() if key not in listed]


async def set_removed(
    session: AsyncSession, mention_ids: Sequence[int], removed_at: datetime | None
) -> None:
    """Mark reviews removed from the site (a time) or shown again (None)."""
    for chunk in chunks(mention_ids):
        await session.execute(
            update(Mention).where(Mention.id.in_(chunk)).values(removed_at=removed_at)
        )


async def insert_mentions(
    session: AsyncSession,
    *,
    source_id: int,
    brand_id: int,
    items: Sequence[NewMention],
    classifications: Sequence[ClassificationInput | None],
    backfill: bool | Sequence[bool],
    now: datetime,
) -> list[tuple[int, NewMention, ClassificationInput | None]]:
    """Insert what is not stored yet; returns (id, item, classification) of the new rows only.

    `backfill`: history, stored and never alerted on; one flag for all items or one per item.
    """
    rows = []
    by_key: dict[str, tuple[NewMention, ClassificationInput | None]] = {}
    flags = [backfill] * len(items) if isinstance(backfill, bool) else list(backfill)
    for item, verdict, history in zip(items, classifications, flags, strict=True):
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
                "backfill": history,
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


def _record_query() -> Select[Mention, str, str, str | None, str | None]:
    return (
        select(Mention, Brand.name, Source.kind, Branch.name, Branch.timezone)
        .join(Brand, Brand.id == Mention.brand_id)
        .join(Source, Source.id == Mention.source_id)
        .outerjoin(Branch, Branch.id == Source.branch_id)
    )


def _record(
    row: Mention, brand_name: str, kind: str, branch: str | None, branch_zone: str | None
) -> MentionRecord:
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
        branch_name=branch,
        branch_timezone=branch_zone,
        edited_at=row.edited_at,
        removed_at=row.removed_at,
    )
