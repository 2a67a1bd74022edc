"""Spike incidents: the negatives a rule reads, the incident rows, and their messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import Label, OutboxKind
from storage.models import Branch, Brand, BrandChat, Chat, Incident, Mention, OutboxMessage, Source
from storage.repositories import outbox

# Source kinds whose mentions are posts and news that can set off a wave of reviews.
CHATTER_KINDS = ("telegram", "rss", "reddit", "hackernews")


@dataclass(frozen=True, slots=True)
class NegativeRow:
    id: int
    at: datetime
    backfill: bool
    author: str | None
    text: str
    source_kind: str
    touchpoints: list[Any]


@dataclass(frozen=True, slots=True)
class TriggerPost:
    """A post or news item that mentioned the brand just before a wave."""

    url: str | None
    source_kind: str
    at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    id: int
    brand_id: int
    brand_name: str
    branch_id: int | None
    branch_name: str | None
    timezone: str
    started_at: datetime
    last_at: datetime
    negatives: int
    expected: float
    details: dict[str, Any]
    version: int


def _at() -> Any:
    return func.coalesce(Mention.published_at, Mention.first_seen_at)


def _scope(brand_id: int, branch_id: int | None) -> list[Any]:
    where = [Mention.brand_id == brand_id]
    if branch_id is not None:
        where.append(Source.branch_id == branch_id)
    return where


async def negatives_since(
    session: AsyncSession, brand_id: int, branch_id: int | None, since: datetime
) -> list[NegativeRow]:
    """Negative reviews of the scope (the whole brand, or one branch) from `since`, oldest
    first. Channel posts and news are left out: they are what may set a wave off, not the
    wave. Two index-friendly halves instead of filtering on coalesce()."""
    in_range = or_(
        Mention.published_at >= since,
        and_(Mention.published_at.is_(None), Mention.first_seen_at >= since),
    )
    rows = await session.execute(
        select(
            Mention.id,
            _at().label("at"),
            Mention.backfill,
            Mention.author,
            Mention.text,
            Source.kind,
            Mention.touchpoints,
        )
        .join(Source, Source.id == Mention.source_id)
        .where(
            *_scope(brand_id, branch_id),
            in_range,
            Mention.sentiment_label == Label.NEGATIVE,
            Source.kind.not_in(CHATTER_KINDS),
        )
        .order_by("at", Mention.id)
    )
    return [
        NegativeRow(
            r.id, r.at, r.backfill, r.author, r.text or "", r.kind, list(r.touchpoints or [])
        )
        for r in rows
    ]


async def negative_times(
    session: AsyncSession, brand_id: int, branch_id: int | None, since: datetime, until: datetime
) -> list[datetime]:
    """Times of the scope's negative reviews in [since, until): the baseline of the rule."""
    in_range = or_(
        and_(Mention.published_at >= since, Mention.published_at < until),
        and_(
            Mention.published_at.is_(None),
            Mention.first_seen_at >= since,
            Mention.first_seen_at < until,
        ),
    )
    rows = await session.scalars(
        select(_at())
        .join(Source, Source.id == Mention.source_id)
        .where(
            *_scope(brand_id, branch_id),
            in_range,
            Mention.sentiment_label == Label.NEGATIVE,
            Source.kind.not_in(CHATTER_KINDS),
        )
    )
    return list(rows)


async def known_authors(
    session: AsyncSession, brand_id: int, authors: list[str], before: datetime
) -> set[str]:
    """Which of these authors wrote about the brand before `before`."""
    if not authors:
        return set()
    rows = await session.scalars(
        select(Mention.author)
        .where(
            Mention.brand_id == brand_id,
            Mention.author.in_(authors),
            Mention.first_seen_at < before,
        )
        .distinct()
    )
    return {author for author in rows if author}


async def trigger_post(
    session: AsyncSession, brand_id: int, since: datetime, until: datetime
) -> TriggerPost | None:
    """The latest channel post or news item about the brand in [since, until)."""
    row = (
        await session.execute(
            select(Mention.url, Source.kind, _at().label("at"), Mention.title, Mention.text)
            .join(Source, Source.id == Mention.source_id)
            .where(
                Mention.brand_id == brand_id,
                Source.kind.in_(CHATTER_KINDS),
                _at() >= since,
                _at() < until,
            )
            .order_by(_at().desc(), Mention.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    return TriggerPost(row.url, row.kind, row.at, row.title or row.text or "")


async def active_incident(
    session: AsyncSession, brand_id: int, branch_id: int | None, since: datetime
) -> Incident | None:
    """The scope's incident still growing: its last negative is after `since`."""
    branch = Incident.branch_id.is_(None) if branch_id is None else Incident.branch_id == branch_id
    return await session.scalar(
        select(Incident)
        .where(Incident.brand_id == brand_id, branch, Incident.last_at >= since)
        .order_by(Incident.id.desc())
        .limit(1)
    )


async def incident_chats(session: AsyncSession, brand_id: int, branch_id: int | None) -> list[int]:
    """A branch's incident goes to that branch's managers; the brand's to the brand's chats."""
    branch = (
        BrandChat.branch_id.is_(None) if branch_id is None else BrandChat.branch_id == branch_id
    )
    rows = await session.scalars(
        select(BrandChat.chat_id)
        .join(Chat, Chat.id == BrandChat.chat_id)
        .where(BrandChat.brand_id == brand_id, branch, Chat.blocked_at.is_(None))
        .order_by(BrandChat.chat_id)
    )
    return list(rows)


async def queue_incident(session: AsyncSession, incident: Incident, now: datetime) -> int:
    """One message per chat and version: the first is sent, later ones edit it."""
    queued = 0
    for chat_id in await incident_chats(session, incident.brand_id, incident.branch_id):
        queued += await outbox.enqueue(
            session,
            dedup_key=f"incident:{incident.id}:{chat_id}:v{incident.version}",
            chat_id=chat_id,
            kind=OutboxKind.INCIDENT,
            now=now,
            brand_id=incident.brand_id,
            payload={"incident_id": incident.id, "version": incident.version},
        )
    return queued


async def get_incident(session: AsyncSession, incident_id: int) -> IncidentRecord | None:
    row = (
        await session.execute(
            select(Incident, Brand.name, Brand.timezone, Branch.name, Branch.timezone)
            .join(Brand, Brand.id == Incident.brand_id)
            .outerjoin(Branch, Branch.id == Incident.branch_id)
            .where(Incident.id == incident_id)
        )
    ).first()
    if row is None:
        return None
    incident, brand_name, brand_zone, branch_name, branch_zone = row
    return IncidentRecord(
        id=incident.id,
        brand_id=incident.brand_id,
        brand_name=brand_name,
        branch_id=incident.branch_id,
        branch_name=branch_name,
        timezone=branch_zone or brand_zone,
        started_at=incident.started_at,
        last_at=incident.last_at,
        negatives=incident.negatives,
        expected=incident.expected,
        details=dict(incident.details or {}),
        version=incident.version,
    )


async def sent_incident_message(
    session: AsyncSession, incident_id: int, chat_id: int
) -> int | None:
    """The Telegram message of the incident already in this chat, to edit instead of resend."""
    return await session.scalar(
        select(OutboxMessage.sent_message_id)
        .where(
            OutboxMessage.kind == OutboxKind.INCIDENT,
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.dedup_key.like(f"incident:{incident_id}:{chat_id}:%"),
            OutboxMessage.sent_message_id.is_not(None),
        )
        .order_by(OutboxMessage.id)
        .limit(1)
    )


@dataclass(frozen=True, slots=True)
class SourceScope:
    """Where a source's reviews count: its brand, its branch, the local time zone."""

    brand_id: int
    branch_id: int | None
    timezone: str
    competitor: bool


async def source_scope(session: AsyncSession, source_id: int) -> SourceScope:
    row = (
        await session.execute(
            select(
                Source.brand_id,
                Source.branch_id,
                Brand.timezone,
                Branch.timezone,
                Brand.competitor_of_id,
            )
            .join(Brand, Brand.id == Source.brand_id)
            .outerjoin(Branch, Branch.id == Source.branch_id)
            .where(Source.id == source_id)
        )
    ).one()
    brand_id, branch_id, brand_zone, branch_zone, competitor_of = row
    return SourceScope(brand_id, branch_id, branch_zone or brand_zone, competitor_of is not None)


async def save_incident(
    session: AsyncSession,
    incident: Incident | None,
    *,
    brand_id: int,
    branch_id: int | None,
    started_at: datetime,
    last_at: datetime,
    negatives: int,
    expected: float,
    details: dict[str, Any],
    now: datetime,
) -> Incident:
    """Open a new incident, or grow the given one (its version moves, so chats get an edit)."""
    if incident is None:
        incident = Incident(
            brand_id=brand_id,
            branch_id=branch_id,
            started_at=started_at,
            expected=expected,
            version=1,
            created_at=now,
        )
        session.add(incident)
    else:
        incident.version += 1
    incident.last_at = last_at
    incident.negatives = negatives
    incident.details = details
    incident.updated_at = now
    await session.flush()
    return incident
