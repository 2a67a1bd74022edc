"""Brand and source settings an owner changes from the chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import SourceOrigin
from storage.dialect import insert_ignoring_conflicts
from storage.models import DEFAULT_TIMEZONE, Brand, Source
from storage.records import BrandRecord
from storage.repositories.brands import to_brand_record


@dataclass(frozen=True, slots=True)
class SourceHealth:
    id: int
    brand_id: int
    brand_name: str
    kind: str
    url: str
    origin: str
    enabled: bool
    health: str
    last_success_at: datetime | None
    last_error: str | None
    timezone: str  # the brand's: times shown to its team are in it
    site_total: int | None = None
    coverage_note: str | None = None


async def brand_settings(session: AsyncSession, brand_id: int) -> BrandRecord | None:
    row = await session.get(Brand, brand_id)
    return None if row is None else to_brand_record(row)


async def brand_timezone(session: AsyncSession, brand_id: int) -> str:
    """The zone the brand's team reads times in (the model's default for a vanished brand)."""
    zone = await session.scalar(select(Brand.timezone).where(Brand.id == brand_id))
    return zone or DEFAULT_TIMEZONE


async def brands(session: AsyncSession, brand_ids: list[int]) -> list[BrandRecord]:
    rows = await session.scalars(select(Brand).where(Brand.id.in_(brand_ids)).order_by(Brand.name))
    return [to_brand_record(row) for row in rows]


async def sources_of(
    session: AsyncSession, brand_ids: list[int], *, enabled_only: bool = True
) -> list[SourceHealth]:
    query = (
        select(Source, Brand.name, Brand.timezone)
        .join(Brand, Brand.id == Source.brand_id)
        .where(Source.brand_id.in_(brand_ids))
        .order_by(Brand.name, Source.id)
    )
    if enabled_only:
        query = query.where(Source.enabled.is_(True))
    rows = (await session.execute(query)).all()
    return [_health(*row) for row in rows]


async def source(session: AsyncSession, source_id: int) -> SourceHealth | None:
    row = (
        await session.execute(
            select(Source, Brand.name, Brand.timezone)
            .join(Brand, Brand.id == Source.brand_id)
            .where(Source.id == source_id)
        )
    ).first()
    return None if row is None else _health(*row)


def _health(row: Source, brand_name: str, timezone: str) -> SourceHealth:
    return SourceHealth(
        row.id,
        row.brand_id,
        brand_name,
        row.kind,
        row.url,
        row.origin,
        row.enabled,
        row.health,
        row.last_success_at,
        row.last_error,
        timezone,
        row.site_total,
        row.coverage_note,
    )


async def add_source(
    session: AsyncSession,
    *,
    brand_id: int,
    kind: str,
    url: str,
    now: datetime,
    interval_seconds: int = 600,
) -> tuple[SourceHealth, bool]:
    """Add a chat source (or re-enable a removed one); the flag says whether it is new to polling."""
    inserted = await session.execute(
        insert_ignoring_conflicts(session, Source)
        .values(
            brand_id=brand_id,
            kind=kind,
            url=url,
            origin=SourceOrigin.CHAT,
            interval_seconds=interval_seconds,
            options={},
            enabled=True,
            created_at=now,
            next_poll_at=now,
        )
        .returning(Source.id)
    )
    fresh = inserted.first() is not None
    row = await session.scalar(
        select(Source).where(Source.brand_id == brand_id, Source.kind == kind, Source.url == url)
    )
    assert row is not None
    fresh = fresh or not row.enabled
    if not row.enabled:
        row.enabled = True
        row.next_poll_at = now
    await session.flush()
    found = await source(session, row.id)
    assert found is not None
    return found, fresh


async def disable_source(session: AsyncSession, source_id: int) -> None:
    """Removing keeps the row: the mentions it found stay in history and digests."""
    await session.execute(update(Source).where(Source.id == source_id).values(enabled=False))


async def set_pause(session: AsyncSession, brand_id: int, until: datetime | None) -> None:
    await session.execute(
        update(Brand).where(Brand.id == brand_id).values(alerts_paused_until=until)
    )


async def set_quiet_hours(
    session: AsyncSession, brand_id: int, start: str | None, end: str | None
) -> None:
    await session.execute(
        update(Brand).where(Brand.id == brand_id).values(quiet_start=start, quiet_end=end)
    )
