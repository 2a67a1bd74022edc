"""Brands, their chats and owners, kept in step with the config file."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import Role, SourceOrigin
from storage.dialect import insert_ignoring_conflicts
from storage.models import Brand, BrandChat, Chat, Member, Mention, Source
from storage.records import BrandInput, BrandRecord, SourceInput
from storage.repositories import branches
from storage.repositories.members import remove_member, unlink_chat


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
        brand.competitor_of_id = ids.get(spec.competitor_of) if spec.competitor_of else None
        await session.flush()
        ids[spec.name] = brand.id
        await _sync_owners(session, brand, spec.owners, now)
        branch_ids: dict[str, int] = {}
        for branch in spec.branches:
            branch_ids[branch.name], _ = await branches.upsert_branch(
                session, brand.id, branch, now
            )
            await branches.sync_managers(
                session, brand.id, branch_ids[branch.name], branch.managers, now
            )
        await _sync_sources(session, brand.id, spec, branch_ids, now)
    return ids


async def _sync_owners(
    session: AsyncSession, brand: Brand, owners: tuple[int, ...], now: datetime
) -> None:
    """The file's owners own the brand and get its alerts; whom it stopped listing loses both
    (audited), while chats subscribed from the chat stay."""
    dropped = await session.scalars(
        select(Member.user_id).where(
            Member.brand_id == brand.id, Member.role == Role.OWNER, Member.user_id.not_in(owners)
        )
    )
    for user_id in list(dropped):
        await remove_member(session, brand_id=brand.id, user_id=user_id, actor_id=None, now=now)
    unlisted = await session.scalars(
        select(BrandChat.chat_id).where(
            BrandChat.brand_id == brand.id,
            BrandChat.origin == SourceOrigin.CONFIG,
            BrandChat.chat_id.not_in(owners),
        )
    )
    for chat_id in list(unlisted):
        await unlink_chat(session, brand_id=brand.id, chat_id=chat_id, actor_id=None, now=now)
    for chat_id in owners:
        await session.execute(
            insert_ignoring_conflicts(session, Chat).values(
                id=chat_id, timezone=brand.timezone, created_at=now
            )
        )
        await session.execute(
            insert_ignoring_conflicts(session, BrandChat).values(
                brand_id=brand.id, chat_id=chat_id, origin=SourceOrigin.CONFIG
            )
        )
        await session.execute(
            update(BrandChat)
            .where(BrandChat.brand_id == brand.id, BrandChat.chat_id == chat_id)
            .values(origin=SourceOrigin.CONFIG)
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
    session: AsyncSession,
    brand_id: int,
    spec: BrandInput,
    branch_ids: dict[str, int],
    now: datetime,
) -> None:
    existing = {
        (row.kind, row.url): row
        for row in await session.scalars(
            select(Source).where(Source.brand_id == brand_id, Source.origin == SourceOrigin.CONFIG)
        )
    }
    wanted: dict[tuple[str, str], tuple[SourceInput, int | None]] = {
        (source.kind, source.url): (source, None) for source in spec.sources
    }
    for branch in spec.branches:
        for source in branch.sources:
            wanted[(source.kind, source.url)] = (source, branch_ids[branch.name])
    for key, (source, branch_id) in wanted.items():
        row = existing.get(key) or await session.scalar(
            select(Source).where(
                Source.brand_id == brand_id, Source.kind == source.kind, Source.url == source.url
            )
        )
        if row is None:
            row = Source(brand_id=brand_id, kind=source.kind, url=source.url, created_at=now)
            session.add(row)
        row.origin = SourceOrigin.CONFIG
        row.branch_id = branch_id
        row.interval_seconds = source.interval_seconds
        row.options = dict(source.options)
        row.secrets = dict(source.secrets)
        row.enabled = source.enabled
    for key, row in existing.items():
        if key not in wanted:
            row.enabled = False
    await session.flush()


async def brand_chat_ids(
    session: AsyncSession,
    brand_id: int,
    *,
    source_id: int | None = None,
    mention_id: int | None = None,
) -> list[int]:
    """The chats told about one source's page (or the page a mention is on): every chat of the
    brand not bound to a branch, and the managers' chats of that page's branch, as alerts go
    (`branches.alert_routes`). A branch manager hears nothing of another branch."""
    source: Any = (
        select(Mention.source_id).where(Mention.id == mention_id).scalar_subquery()
        if mention_id is not None
        else literal(source_id)
    )
    branch = select(Source.branch_id).where(Source.id == source).scalar_subquery()
    rows = await session.scalars(
        select(BrandChat.chat_id)
        .join(Chat, Chat.id == BrandChat.chat_id)
        .where(
            BrandChat.brand_id == brand_id,
            Chat.blocked_at.is_(None),
            or_(BrandChat.branch_id.is_(None), BrandChat.branch_id == branch),
        )
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
        competitor_of_id=row.competitor_of_id,
    )


async def brand_record(session: AsyncSession, brand_id: int) -> BrandRecord:
    return to_brand_record(await session.get_one(Brand, brand_id))
