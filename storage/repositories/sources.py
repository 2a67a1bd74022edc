"""Sources and their poll state and health."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import SourceEventKind, SourceHealth
from storage.models import Brand, Source, SourceEvent
from storage.records import SourceRecord


def _record(row: Source, brand: Brand) -> SourceRecord:
    return SourceRecord(
        id=row.id,
        brand_id=row.brand_id,
        brand_name=brand.name,
        aliases=tuple(dict.fromkeys([brand.name, *brand.aliases])),
        kind=row.kind,
        url=row.url,
        interval_seconds=row.interval_seconds,
        options=dict(row.options or {}),
        enabled=row.enabled,
        origin=row.origin,
        cursor=row.cursor,
        etag=row.etag,
        last_modified=row.last_modified,
        backfilled=row.backfilled,
        next_poll_at=row.next_poll_at,
        last_poll_at=row.last_poll_at,
        last_success_at=row.last_success_at,
        consecutive_failures=row.consecutive_failures,
        last_item_count=row.last_item_count,
        last_error=row.last_error,
        health=row.health,
        health_notified=row.health_notified,
        site_total=row.site_total,
        site_total_at=row.site_total_at,
        reconciled_at=row.reconciled_at,
        coverage_note=row.coverage_note,
        history_before=row.history_before,
        secrets=dict(row.secrets or {}),
    )


async def list_sources(session: AsyncSession, *, enabled_only: bool = False) -> list[SourceRecord]:
    query = (
        select(Source, Brand)
        .join(Brand, Brand.id == Source.brand_id)
        .order_by(Brand.name, Source.id)
    )
    if enabled_only:
        query = query.where(Source.enabled.is_(True))
    return [_record(row, brand) for row, brand in (await session.execute(query)).all()]


async def get_source(session: AsyncSession, source_id: int) -> SourceRecord | None:
    row = (
        await session.execute(
            select(Source, Brand)
            .join(Brand, Brand.id == Source.brand_id)
            .where(Source.id == source_id)
        )
    ).first()
    return None if row is None else _record(*row)


async def due_sources(
    session: AsyncSession, now: datetime, *, exclude: Sequence[int] = (), limit: int = 100
) -> list[SourceRecord]:
    query = (
        select(Source, Brand)
        .join(Brand, Brand.id == Source.brand_id)
        .where(Source.enabled.is_(True))
        .where(or_(Source.next_poll_at.is_(None), Source.next_poll_at <= now))
        .order_by(Source.next_poll_at.is_not(None), Source.next_poll_at, Source.id)
        .limit(limit)
    )
    if exclude:
        query = query.where(Source.id.not_in(list(exclude)))
    return [_record(row, brand) for row, brand in (await session.execute(query)).all()]


async def save_poll_success(
    session: AsyncSession,
    source_id: int,
    *,
    now: datetime,
    next_poll_at: datetime,
    cursor: str | None,
    etag: str | None,
    last_modified: str | None,
    backfilled: bool,
    item_count: int | None,
    history_before: datetime | None = None,
) -> None:
    row = await session.get_one(Source, source_id)
    if history_before is not None:
        row.history_before = history_before
    row.last_poll_at = row.last_success_at = now
    row.next_poll_at = next_poll_at
    row.cursor, row.etag, row.last_modified = cursor, etag, last_modified
    row.backfilled = backfilled
    if item_count is not None:
        row.last_item_count = item_count
    row.consecutive_failures = 0
    row.last_error = None


async def save_coverage(
    session: AsyncSession,
    source_id: int,
    *,
    now: datetime,
    site_total: int | None,
    reconciled: bool,
    note: str | None,
) -> str | None:
    """Store the site's stated count (when the poll saw one) and, after a full walk of the
    listing, why held reviews still fall short of it (None: they do not). Returns the note
    the source had before."""
    row = await session.get_one(Source, source_id)
    before = row.coverage_note
    if site_total is not None:
        row.site_total, row.site_total_at = site_total, now
    if reconciled:
        row.reconciled_at = now
        row.coverage_note = note
    return before


async def note_poll(
    session: AsyncSession,
    source_id: int,
    *,
    now: datetime,
    skipped: Sequence[str],
    path: str | None,
) -> None:
    """Leave in the source's health history what a successful poll had to say: entries it
    could not read (the others were stored), and a change in how the reviews were reached."""
    if skipped:
        shown = "; ".join(skipped[:5]) + (" …" if len(skipped) > 5 else "")
        message = f"{len(skipped)} malformed entries skipped: {shown}"
        session.add(
            SourceEvent(
                source_id=source_id, at=now, kind=SourceEventKind.SKIPPED, message=message[:2000]
            )
        )
    if path:
        last = await session.scalar(
            select(SourceEvent.message)
            .where(SourceEvent.source_id == source_id, SourceEvent.kind == SourceEventKind.PATH)
            .order_by(SourceEvent.at.desc(), SourceEvent.id.desc())
            .limit(1)
        )
        if last != path:
            session.add(
                SourceEvent(
                    source_id=source_id, at=now, kind=SourceEventKind.PATH, message=path[:2000]
                )
            )


async def current_paths(session: AsyncSession) -> dict[int, str]:
    """source id → how its reviews were last reached, for the sources that have said so."""
    latest = (
        select(SourceEvent.source_id, func.max(SourceEvent.id).label("last"))
        .where(SourceEvent.kind == SourceEventKind.PATH)
        .group_by(SourceEvent.source_id)
        .subquery()
    )
    rows = await session.execute(
        select(SourceEvent.source_id, SourceEvent.message).join(
            latest, SourceEvent.id == latest.c.last
        )
    )
    return {source_id: message or "" for source_id, message in rows.all()}


async def save_poll_failure(
    session: AsyncSession, source_id: int, *, now: datetime, next_poll_at: datetime, error: str
) -> int:
    """Count one more failure in a row; returns how many there are now."""
    row = await session.get_one(Source, source_id)
    row.last_poll_at = now
    row.next_poll_at = next_poll_at
    row.consecutive_failures += 1
    row.last_error = error[:2000]
    session.add(
        SourceEvent(source_id=source_id, at=now, kind=SourceEventKind.ERROR, message=error[:2000])
    )
    return row.consecutive_failures


async def set_health(
    session: AsyncSession, source_id: int, *, health: str, notified: bool, now: datetime, note: str
) -> None:
    row = await session.get_one(Source, source_id)
    row.health = health
    row.health_notified = notified
    session.add(
        SourceEvent(
            source_id=source_id,
            at=now,
            kind=SourceEventKind(health)
            if health != SourceHealth.OK
            else SourceEventKind.RECOVERED,
            message=note,
        )
    )


async def note_rejected(session: AsyncSession, source_id: int, *, now: datetime, note: str) -> None:
    """A poll stored its items but some were refused: kept as the last error and in history."""
    row = await session.get_one(Source, source_id)
    row.last_error = note
    session.add(
        SourceEvent(source_id=source_id, at=now, kind=SourceEventKind.REJECTED, message=note)
    )


@dataclass(frozen=True, slots=True)
class PlannedPoll:
    """An enabled source as the sites see it: what it polls and how often. `options` include
    its secrets: which of them are set decides where some sources send their requests."""

    source_id: int
    kind: str
    url: str
    interval_seconds: int
    options: dict[str, str]


async def poll_schedule(session: AsyncSession) -> list[PlannedPoll]:
    """Every enabled source: what the sites are asked for."""
    rows = await session.execute(
        select(
            Source.id,
            Source.kind,
            Source.url,
            Source.interval_seconds,
            Source.options,
            Source.secrets,
        ).where(Source.enabled.is_(True))
    )
    return [
        PlannedPoll(source_id, kind, url, interval, {**(options or {}), **(secrets or {})})
        for source_id, kind, url, interval, options, secrets in rows.all()
    ]


async def oldest_due_poll(session: AsyncSession, now: datetime) -> datetime | None:
    """When the source waiting longest for its poll became due (None: none is late)."""
    return await session.scalar(
        select(func.min(Source.next_poll_at)).where(
            Source.enabled.is_(True), Source.next_poll_at <= now
        )
    )
