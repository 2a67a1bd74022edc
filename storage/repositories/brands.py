"""Brands, their chats and owners, kept in step with the config file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import Role, SourceOrigin
from storage.dialect import insert_ignoring_conflicts
from storage.models import Brand, BrandChat, Chat, Member, Source
from storage.records import BrandInput, BrandRecord


async def sync_brands(
    session: AsyncSession, brands: list[BrandInput], now: datetime
) -> dict[str, int]:
    """Upsert brands, owners' chats and config sources; config sources that left the file are
    disabled, not deleted, so their history stays. Returns brand name → id."""
    ids: dict[str, int] = {}
    for spec in brands:
        brand = await session.scalar(select(Brand).where(Brand.name == spec.name))
        if brand is None:
            brand = Brand(name=spec.name, created_at=now)
            session.add(brand)
        brand.aliases = list(spec.aliases)
        brand.alert_on = spec.alert_on
        brand.timezone = spec.timezone
        brand.response_minutes = spec.response_minutes
        brand.work_start, brand.work_end, brand.work_days = (
            spec.work_start,
            spec.work_end,
            spec.work_days,
        )
        brand.touchpoints = spec.touchpoints
        await session.flush()
        ids[spec.name] = brand.id
        await _sync_owners(session, brand, spec.owners, now)
        await _sync_sources(session, brand.id, spec, now)
    return ids


async def _sync_owners(
    session: AsyncSession, brand: Brand, owners: tuple[int, ...], now: datetime
) -> None:
    for chat_id in owners:
        await session.execute(
            insert_ignoring_conflicts(session, Chat).values(
                id=chat_id, timezone=brand.timezone, created_at=now
            )
        )
        await session.execute(
            insert_ignoring_conflicts(session, BrandChat).values(brand_id=brand.id, chat_id=chat_id)
        )
        # A positive chat id is a private chat, i.e. a user: that user owns the brand.
        if chat_id > 0:
            await session.execute(
                insert_ignoring_conflicts(session, Member).values(
                    brand_id=brand.id, user_id=chat_id, role=Role.OWNER, created_at=now
                )
            )
            await session.execute(
                update(Member)
                .where(Member.brand_id == brand.id, Member.user_id == chat_id)
                .values(role=Role.OWNER)
            )


async def _sync_sources(
    session: AsyncSession, brand_id: int, spec: BrandInput, now: datetime
) -> None:
    existing = {
        (row.kind, row.url): row
        for row in await session.scalars(
            select(Source).where(Source.brand_id == brand_id, Source.origin == SourceOrigin.CONFIG)
        )
    }
    wanted = {(source.kind, source.url): source for source in spec.sources}
    for key, source in wanted.items():
        row = existing.get(key) or await session.scalar(
            select(Source).where(
                Source.brand_id == brand_id, Source.kind == source.kind, Source.url == source.url
            )
        )
        if row is None:
            row = Source(brand_id=brand_id, kind=source.kind, url=source.url, created_at=now)
            session.add(row)
        row.origin = SourceOrigin.CONFIG
        row.interval_seconds = source.interval_seconds
        row.options = dict(source.options)
        row.enabled = source.enabled
    for key, row in existing.items():
        if key not in wanted:
            row.enabled = False
    await session.flush()


async def brand_chat_ids(session: AsyncSession, brand_id: int) -> list[int]:
    rows = await session.scalars(
        select(BrandChat.chat_id)
        .join(Chat, Chat.id == BrandChat.chat_id)
        .where(BrandChat.brand_id == brand_id, Chat.blocked_at.is_(None))
        .order_by(BrandChat.chat_id)
    )
    return list(rows)


def to_brand_record(row: Brand) -> BrandRecord:
    return BrandRecord(
        id=row.id,
        name=row.name,
        aliases=tuple(row.aliases or ()),
        alert_on=row.alert_on,
        timezone=row.timezone,
        response_minutes=row.response_minutes,
        work_start=row.work_start,
        work_end=row.work_end,
        work_days=row.work_days,
        alerts_paused_until=row.alerts_paused_until,
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        touchpoints=dict(row.touchpoints or {}),
    )


async def brand_record(session: AsyncSession, brand_id: int) -> BrandRecord:
    return to_brand_record(await session.get_one(Brand, brand_id))
