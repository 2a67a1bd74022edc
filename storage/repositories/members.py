"""Who may do what: members of brands with their roles (owner, pr, viewer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import AuditAction, Role
from storage.dialect import insert_ignoring_conflicts
from storage.models import AuditEvent, Brand, BrandChat, Member

_RANK: dict[str, int] = {Role.VIEWER: 0, Role.PR: 1, Role.OWNER: 2}


@dataclass(frozen=True, slots=True)
class Membership:
    brand_id: int
    brand_name: str
    role: str
    member_name: str | None  # as stored: the access check refreshes it only when it changed
    branch_id: int | None = None  # the role holds for this branch only


@dataclass(frozen=True, slots=True)
class MemberRecord:
    user_id: int
    name: str | None
    role: str


async def memberships(session: AsyncSession, user_id: int) -> list[Membership]:
    rows = await session.execute(
        select(Member.brand_id, Brand.name, Member.role, Member.name, Member.branch_id)
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


async def remove_member(
    session: AsyncSession,
    *,
    brand_id: int,
    user_id: int,
    actor_id: int | None,
    now: datetime,
) -> MemberRecord | None:
    """Take away every right the user had in the brand, and the alerts their private chat got;
    recorded in the audit. `actor_id` None: the brands file no longer lists them."""
    row = await session.scalar(
        select(Member).where(Member.brand_id == brand_id, Member.user_id == user_id)
    )
    if row is None:
        return None
    removed = MemberRecord(row.user_id, row.name, row.role)
    await session.delete(row)
    session.add(
        AuditEvent(
            brand_id=brand_id,
            actor_id=actor_id,
            action=AuditAction.MEMBER_REMOVED,
            subject_id=user_id,
            detail=f"role {removed.role}",
            created_at=now,
        )
    )
    await unlink_chat(session, brand_id=brand_id, chat_id=user_id, actor_id=actor_id, now=now)
    await session.flush()
    return removed


async def unlink_chat(
    session: AsyncSession, *, brand_id: int, chat_id: int, actor_id: int | None, now: datetime
) -> bool:
    """The chat stops receiving the brand's alerts and digests (audited); False if it did not."""
    result = await session.execute(
        delete(BrandChat).where(BrandChat.brand_id == brand_id, BrandChat.chat_id == chat_id)
    )
    if not cast(CursorResult[Any], result).rowcount:
        return False
    session.add(
        AuditEvent(
            brand_id=brand_id,
            actor_id=actor_id,
            action=AuditAction.CHAT_UNSUBSCRIBED,
            subject_id=chat_id,
            created_at=now,
        )
    )
    return True
