"""Per-host request spacing shared by every worker of a PostgreSQL deployment: one row per
host holding when its next request may start, booked atomically by the database's clock."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# The row lock taken by the upsert orders concurrent bookings; clock_timestamp() (not now(),
# which is the transaction's start) keeps the spacing true to the second.
_RESERVE = text(
    """
    INSERT INTO host_pace (host, next_start_at)
    VALUES (:host, clock_timestamp() + make_interval(secs => :gap))
    ON CONFLICT (host) DO UPDATE
    SET next_start_at = GREATEST(host_pace.next_start_at, clock_timestamp())
                        + make_interval(secs => :gap)
    RETURNING EXTRACT(EPOCH FROM (host_pace.next_start_at - clock_timestamp())) - :gap
    """
)


async def reserve(session: AsyncSession, host: str, interval: float) -> float:
    """Book the host's next request start; returns the seconds to wait for it (PostgreSQL)."""
    wait = await session.scalar(_RESERVE, {"host": host[:255], "gap": interval})
    return max(0.0, float(wait or 0.0))
