"""Source health: after N failed polls in a row a source is unhealthy, and the owner is told
once; when it works again, once more. A misconfigured source is reported at its first failure:
waiting does not cure it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import CoverageGap, OutboxKind, SourceHealth
from scrapers.errors import AntiBotPage, ParseError, SourceConfigError, SourceError
from storage.records import HealthNotice, SourceRecord
from storage.repositories import sources as sources_repo
from storage.repositories.brands import brand_chat_ids
from storage.repositories.outbox import enqueue

_STATE_OF = (
    (SourceConfigError, SourceHealth.MISCONFIGURED),
    (AntiBotPage, SourceHealth.BLOCKED),
    (ParseError, SourceHealth.PARSER_BROKEN),
)


def health_of(error: SourceError) -> SourceHealth:
    for kind, state in _STATE_OF:
        if isinstance(error, kind):
            return state
    return SourceHealth.UNHEALTHY


async def record_failure(
    session: AsyncSession,
    source: SourceRecord,
    error: SourceError,
    *,
    failures: int,
    threshold: int,
    now: datetime,
) -> SourceHealth | None:
    """Mark the source unhealthy once it failed `threshold` times in a row; returns the new
    health when it changed."""
    state = health_of(error)
    if failures < threshold and state != SourceHealth.MISCONFIGURED:
        return None
    if source.health == state and source.health_notified:
        return None
    await sources_repo.set_health(
        session, source.id, health=state, notified=True, now=now, note=str(error)
    )
    notice = HealthNotice(source.id, state, failures=failures, error=str(error)[:500])
    await _tell_owners(session, source, notice, now=now)
    return state


async def record_recovery(session: AsyncSession, source: SourceRecord, *, now: datetime) -> bool:
    if source.health == SourceHealth.OK:
        return False
    await sources_repo.set_health(
        session, source.id, health=SourceHealth.OK, notified=False, now=now, note="recovered"
    )
    if source.health_notified:
        await _tell_owners(session, source, HealthNotice(source.id, SourceHealth.OK), now=now)
    return True


async def record_rejected(
    session: AsyncSession,
    source: SourceRecord,
    rejected: Sequence[tuple[str, str]],
    *,
    now: datetime,
) -> None:
    """Items the database refused were left out of an otherwise stored poll: the owner is told
    which, once per item, and `otklik sources` shows it as the source's last error."""
    note = "; ".join(f"{key[:80]}: {reason}" for key, reason in rejected)
    note = f"{len(rejected)} item(s) could not be stored: {note}"[:2000]
    await sources_repo.note_rejected(session, source.id, now=now, note=note)
    notice = HealthNotice(
        source.id,
        SourceHealth(source.health),
        error=rejected[0][1][:300],
        rejected=tuple(key[:80] for key, _ in rejected[:5]),
    )
    digest = hashlib.sha256(note.encode()).hexdigest()[:32]
    await _tell_owners(session, source, notice, now=now, key=f"rejected:{source.id}:{digest}")


async def _tell_owners(
    session: AsyncSession,
    source: SourceRecord,
    notice: HealthNotice,
    *,
    now: datetime,
    key: str | None = None,
) -> None:
    key = key or f"health:{source.id}:{notice.state}:{now.isoformat()}"
    for chat_id in await brand_chat_ids(session, source.brand_id, source_id=source.id):
        await enqueue(
            session,
            dedup_key=f"{key}:{chat_id}",
            chat_id=chat_id,
            kind=OutboxKind.HEALTH,
            brand_id=source.brand_id,
            payload=notice.to_payload(),
            now=now,
        )


async def record_coverage_gap(
    session: AsyncSession,
    source: SourceRecord,
    *,
    gap: CoverageGap | None,
    before: str | None,
    site_total: int | None,
    held: int,
    now: datetime,
) -> bool:
    """After a full walk: a gap that is still there is a warning with its reason, told once
    (again only if the reason changes). Returns True when the owners were told now."""
    if gap is None or gap == before:
        return False
    for chat_id in await brand_chat_ids(session, source.brand_id, source_id=source.id):
        await enqueue(
            session,
            dedup_key=f"coverage:{source.id}:{gap}:{now.isoformat()}:{chat_id}",
            chat_id=chat_id,
            kind=OutboxKind.COVERAGE,
            brand_id=source.brand_id,
            payload={"source_id": source.id, "gap": str(gap), "site": site_total, "held": held},
            now=now,
        )
    return True
