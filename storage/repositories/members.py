"""Who may do what: members of brands with their roles (owner, pr, viewer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import Role
from storage.dialect import insert_ignoring_conflicts
from storage.models import Brand, Member

_RANK: dict[str, int] = {Role.VIEWER: 0, Role.PR: 1, Role.OWNER: 2}


@dataclass(frozen=True, slots=True)
class Membership:
    brand_id: int
    brand_name: str
    role: str
    member_name: str | None  # as stored: the access check refreshes it only when it changed


@dataclass(frozen=True, slots=True)
class MemberRecord:
    user_id: int
    name: str | None
    role: str


async def memberships(session: AsyncSession, user_id: int) -> list[Membership]:
    rows = await session.execute(
        select(Member.brand_id, Brand.name, Member.role, Member.name)
        .join(Brand, Brand.id == Member.brand_id)
        .where(Member.user_id == user_id)
        .order_by(Brand.name)
    )
    return [Membership(*row) for row in rows.all()]


async def members_of(session: AsyncSession, brand_id: int) -> list[MemberRecord]:
    rows = await session.scalars(
        select(Member).where(Member.brand_id == brand_id).order_by(Member.role, Member.user_id)
    )
    return [MemberRecord(r.user_id, r.name, r.role) for r in rows]


async def owners_of(session: AsyncSession, brand_id: int) -> list[int]:
    rows = await session.scalars(
        select(Member.user_id)
        .where(Member.brand_id == brand_id, Member.role == Role.OWNER)
        .order_by(Member.user_id)
    )
    return list(rows)


async def add_member(
    session: AsyncSession,
    *,
    brand_id: int,
    user_id: int,
    name: str | None,
    role: str,
    now: datetime,
) -> str:
    """Add a member or raise their role; an invite never lowers anyone. Returns the role held."""
    await session.execute(
        insert_ignoring_conflicts(session, Member).values(
            brand_id=brand_id, user_id=user_id, name=name, role=role, created_at=now
        )
    )
    current = await session.scalar(
        select(Member.role).where(Member.brand_id == brand_id, Member.user_id == user_id)
    )
    held = current if current and _RANK.get(current, 0) >= _RANK[role] else role
    await session.execute(
        update(Member)
        .where(Member.brand_id == brand_id, Member.user_id == user_id)
        .values(role=held, name=name)
    )
    return held


async def remember_name(session: AsyncSession, user_id: int, name: str) -> None:
    """Keep the display name fresh so case histories show people, not numbers."""
    await session.execute(
        update(Member)
        .where(Member.user_id == user_id, Member.name.is_distinct_from(name))
        .values(name=name)
    )


async def remove_member(session: AsyncSession, *, brand_id: int, user_id: int) -> bool:
    row = await session.scalar(
        select(Member).where(Member.brand_id == brand_id, Member.user_id == user_id)
    )
    if row is None:
        return False
    await session.delete(row)
    await session.flush()
    return True
