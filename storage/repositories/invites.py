"""One-time invite codes: an owner creates one, the first person to use it joins the brand."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Brand, Invite, Member
from storage.repositories.branches import scope_member
from storage.repositories.members import add_member


@dataclass(frozen=True, slots=True)
class InviteRecord:
    code: str
    brand_id: int
    role: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Redemption:
    """outcome: joined | used | expired | unknown."""

    outcome: str
    brand_name: str | None = None
    role: str | None = None


async def create_invite(
    session: AsyncSession,
    *,
    brand_id: int,
    role: str,
    created_by: int,
    now: datetime,
    ttl: timedelta,
    branch_id: int | None = None,
) -> InviteRecord:
    # Deep-link payloads allow [A-Za-z0-9_-] up to 64 characters; 16 url-safe chars is 96 bits.
    code = secrets.token_urlsafe(12)
    session.add(
        Invite(
            code=code,
            brand_id=brand_id,
            role=role,
            branch_id=branch_id,
            created_by=created_by,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    await session.flush()
    return InviteRecord(code, brand_id, role, now + ttl)


async def redeem(
    session: AsyncSession, code: str, *, user_id: int, name: str | None, now: datetime
) -> Redemption:
    """Use the code once. The conditional UPDATE makes two simultaneous uses yield one join."""
    row = (
        await session.execute(
            select(Invite, Brand.name)
            .join(Brand, Brand.id == Invite.brand_id)
            .where(Invite.code == code)
        )
    ).first()
    if row is None:
        return Redemption("unknown")
    invite, brand_name = row
    if invite.used_by is not None:
        return Redemption("used", brand_name, invite.role)
    if invite.expires_at <= now:
        return Redemption("expired", brand_name, invite.role)
    result = await session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.used_by.is_(None))
        .values(used_by=user_id, used_at=now)
        .execution_options(synchronize_session=False)
    )
    if not cast(CursorResult[Any], result).rowcount:
        return Redemption("used", brand_name, invite.role)
    # A branch invite never narrows someone who already belongs to the brand.
    newcomer = invite.branch_id is not None and not await session.scalar(
        select(Member.id).where(Member.brand_id == invite.brand_id, Member.user_id == user_id)
    )
    role = await add_member(
        session, brand_id=invite.brand_id, user_id=user_id, name=name, role=invite.role, now=now
    )
    if newcomer and invite.branch_id is not None:
        await scope_member(
            session, brand_id=invite.brand_id, user_id=user_id, branch_id=invite.branch_id
        )
    return Redemption("joined", brand_name, role)
