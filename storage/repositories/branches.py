"""Branches (locations) of a brand, their sources, managers' chats and branch-scoped roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import Role, SourceOrigin
from storage.dialect import insert_ignoring_conflicts
from storage.models import Branch, BrandChat, Chat, Member, Mention, Source
from storage.records import BranchInput, SourceInput


@dataclass(frozen=True, slots=True)
class BranchRecord:
    id: int
    brand_id: int
    name: str
    city: str | None
    address: str | None
    timezone: str | None


@dataclass(frozen=True, slots=True)
class ImportCounts:
    """What a branch import changed."""

    branches_added: int = 0
    sources_added: int = 0


def _record(row: Branch) -> BranchRecord:
    return BranchRecord(row.id, row.brand_id, row.name, row.city, row.address, row.timezone)


async def branches_of(session: AsyncSession, brand_id: int) -> list[BranchRecord]:
    rows = await session.scalars(
        select(Branch).where(Branch.brand_id == brand_id).order_by(Branch.name)
    )
    return [_record(row) for row in rows]


async def branch_by_name(session: AsyncSession, brand_id: int, name: str) -> BranchRecord | None:
    """Exact name, else case-insensitive (folded in Python: SQLite folds ASCII only)."""
    wanted = name.strip().casefold()
    for branch in await branches_of(session, brand_id):
        if branch.name.casefold() == wanted:
            return branch
    return None


async def upsert_branch(
    session: AsyncSession, brand_id: int, spec: BranchInput, now: datetime
) -> tuple[int, bool]:
    """The branch's id, its details set from the spec; True when it was created now."""
    row = await session.scalar(
        select(Branch).where(Branch.brand_id == brand_id, Branch.name == spec.name)
    )
    created = row is None
    if row is None:
        row = Branch(brand_id=brand_id, name=spec.name, created_at=now)
        session.add(row)
    # An import row that leaves a detail blank keeps what is known.
    row.city = spec.city or row.city
    row.address = spec.address or row.address
    row.timezone = spec.timezone or row.timezone
    await session.flush()
    return row.id, created


async def sync_managers(
    session: AsyncSession, brand_id: int, branch_id: int, managers: tuple[int, ...], now: datetime
) -> None:
    """Each manager chat receives this branch only; a manager who is a user gets the pr role
    for this branch. A chat that already follows the whole brand (an owner) keeps doing so."""
    for chat_id in managers:
        await session.execute(
            insert_ignoring_conflicts(session, Chat).values(id=chat_id, created_at=now)
        )
        await session.execute(
            insert_ignoring_conflicts(session, BrandChat).values(
                brand_id=brand_id, chat_id=chat_id, branch_id=branch_id
            )
        )
        if chat_id > 0:
            await session.execute(
                insert_ignoring_conflicts(session, Member).values(
                    brand_id=brand_id, user_id=chat_id, role=Role.PR, branch_id=branch_id,
                    created_at=now,
                )
            )  # fmt: skip


async def add_source(
    session: AsyncSession,
    *,
    brand_id: int,
    branch_id: int | None,
    source: SourceInput,
    origin: SourceOrigin,
    now: datetime,
) -> bool:
    """Attach a source to the branch, creating it when new; True when created."""
    row = await session.scalar(
        select(Source).where(
            Source.brand_id == brand_id, Source.kind == source.kind, Source.url == source.url
        )
    )
    if row is not None:
        row.branch_id = branch_id
        return False
    session.add(
        Source(
            brand_id=brand_id,
            branch_id=branch_id,
            kind=source.kind,
            url=source.url,
            interval_seconds=source.interval_seconds,
            options=dict(source.options),
            enabled=source.enabled,
            origin=origin,
            created_at=now,
        )
    )
    await session.flush()
    return True


async def import_branches(
    session: AsyncSession, brand_id: int, branches: list[BranchInput], now: datetime
) -> ImportCounts:
    """Branches and their sources from a CSV import; running it twice changes nothing."""
    added = sources = 0
    for spec in branches:
        branch_id, created = await upsert_branch(session, brand_id, spec, now)
        added += created
        for source in spec.sources:
            sources += await add_source(
                session,
                brand_id=brand_id,
                branch_id=branch_id,
                source=source,
                origin=SourceOrigin.IMPORT,
                now=now,
            )
    return ImportCounts(added, sources)


async def alert_routes(
    session: AsyncSession, brand_id: int, mention_ids: list[int]
) -> dict[int, list[int]]:
    """mention id → the chats its alert goes to: every chat of the brand not bound to a
    branch, and the managers' chats of the mention's own branch."""
    if not mention_ids:
        return {}
    chats = (
        await session.execute(
            select(BrandChat.chat_id, BrandChat.branch_id)
            .join(Chat, Chat.id == BrandChat.chat_id)
            .where(BrandChat.brand_id == brand_id, Chat.blocked_at.is_(None))
            .order_by(BrandChat.chat_id)
        )
    ).all()
    if all(branch_id is None for _, branch_id in chats):
        everyone = [chat_id for chat_id, _ in chats]
        return {mention_id: everyone for mention_id in mention_ids}
    branch_of = dict(
        (
            await session.execute(
                select(Mention.id, Source.branch_id)
                .join(Source, Source.id == Mention.source_id)
                .where(Mention.id.in_(mention_ids))
            )
        ).all()
    )
    return {
        mention_id: [
            chat_id
            for chat_id, branch_id in chats
            if branch_id is None or branch_id == branch_of.get(mention_id)
        ]
        for mention_id in mention_ids
    }


async def source_branches(session: AsyncSession, brand_id: int) -> dict[int, int | None]:
    """source id → its branch id (None: the brand as a whole)."""
    rows = await session.execute(
        select(Source.id, Source.branch_id).where(Source.brand_id == brand_id)
    )
    return {source_id: branch_id for source_id, branch_id in rows.all()}


async def mention_zones(session: AsyncSession, mention_ids: list[int]) -> dict[int, str]:
    """mention id → its branch's own time zone, for mentions of branches that have one."""
    if not mention_ids:
        return {}
    rows = await session.execute(
        select(Mention.id, Branch.timezone)
        .join(Source, Source.id == Mention.source_id)
        .join(Branch, Branch.id == Source.branch_id)
        .where(Mention.id.in_(mention_ids), Branch.timezone.is_not(None))
    )
    return {mention_id: zone for mention_id, zone in rows.all() if zone}


async def chat_branch(session: AsyncSession, brand_id: int, chat_id: int) -> BranchRecord | None:
    """The branch a manager's chat follows for the brand; None for a chat of the whole brand."""
    row = await session.scalar(
        select(Branch)
        .join(BrandChat, BrandChat.branch_id == Branch.id)
        .where(BrandChat.brand_id == brand_id, BrandChat.chat_id == chat_id)
    )
    return None if row is None else _record(row)


async def branch_by_id(session: AsyncSession, branch_id: int) -> BranchRecord | None:
    row = await session.get(Branch, branch_id)
    return None if row is None else _record(row)


async def scope_member(
    session: AsyncSession, *, brand_id: int, user_id: int, branch_id: int
) -> None:
    """The member's role holds for this branch only."""
    await session.execute(
        update(Member)
        .where(Member.brand_id == brand_id, Member.user_id == user_id)
        .values(branch_id=branch_id)
    )
