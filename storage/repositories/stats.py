"""Read queries behind digests and reports: a brand's mentions, cases and source health over
a time range, returned as plain records."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Row, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import AWAITING_STATUSES
from storage.models import Brand, Case, Chat, Member, Mention, Source, SourceEvent
from storage.repositories.mentions import held_count

# Rows turned into objects between two turns of the event loop.
STREAM_PARTITION = 1000
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class BrandInfo:
    """The brand fields a report needs."""

    id: int
    name: str
    timezone: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """A source as a report names it, with its current health."""

    id: int
    kind: str
    url: str
    health: str
    last_error: str | None
    enabled: bool
    # The review count the site states and how many of them are held (coverage).
    site_total: int | None = None
    held: int = 0


@dataclass(frozen=True, slots=True)
class MentionRow:
    """One mention as reports count it; `at` is published_at, or first_seen_at when unknown."""

    id: int
    source_id: int
    at: datetime
    url: str | None
    author: str | None
    rating: float | None
    title: str | None
    text: str
    sentiment: str | None
    touchpoints: list[Any]
    backfill: bool
    language: str | None


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One case with the times that response figures are made of."""

    id: int
    mention_id: int
    status: str
    created_at: datetime
    due_at: datetime | None
    first_response_at: datetime | None
    mention_url: str | None
    source_id: int
    text: str
    # Who answers it: the assignee's name as the team knows it (their id when unnamed).
    assignee_name: str | None = None


@dataclass(frozen=True, slots=True)
class SourceEventRow:
    """One entry of a source's health history."""

    source_id: int
    at: datetime
    kind: str
    message: str | None


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """A chat's language and time zone, as digests are rendered for it."""

    id: int
    language: str
    timezone: str


async def brand_by_id(session: AsyncSession, brand_id: int) -> BrandInfo | None:
    row = await session.get(Brand, brand_id)
    return None if row is None else _brand(row)


async def brand_by_name(session: AsyncSession, name: str) -> BrandInfo | None:
    """Exact name first, then a case-insensitive match (done in Python: SQLite's lower()
    folds ASCII only, and brand names are mostly Cyrillic)."""
    row = (await session.execute(select(Brand).where(Brand.name == name))).scalar_one_or_none()
    if row is not None:
        return _brand(row)
    wanted = name.casefold()
    for candidate in (await session.execute(select(Brand))).scalars():
        if candidate.name.casefold() == wanted:
            return _brand(candidate)
    return None


async def all_brands(session: AsyncSession) -> list[BrandInfo]:
    rows = await session.execute(select(Brand).order_by(Brand.name))
    return [_brand(row) for row in rows.scalars()]


async def chat_settings(session: AsyncSession, chat_id: int) -> ChatSettings | None:
    row = await session.get(Chat, chat_id)
    return None if row is None else ChatSettings(row.id, row.language, row.timezone)


async def sources_of_brand(session: AsyncSession, brand_id: int) -> list[SourceInfo]:
    rows = await session.execute(
        select(Source).where(Source.brand_id == brand_id).order_by(Source.id)
    )
    found = list(rows.scalars())
    held = await held_count(session, [row.id for row in found])
    return [
        SourceInfo(
            row.id,
            row.kind,
            row.url,
            row.health,
            row.last_error,
            row.enabled,
            row.site_total,
            held[row.id],
        )
        for row in found
    ]


async def mentions_between(
    session: AsyncSession,
    brand_id: int,
    start: datetime,
    end: datetime,
    *,
    source_ids: Collection[int] | None = None,
) -> list[MentionRow]:
    """Mentions of the brand whose time (published, else first seen) is in [start, end);
    `source_ids`: of these sources only (one branch's)."""
    # Two index-friendly halves instead of coalesce(), which no index covers.
    in_range = or_(
        and_(Mention.published_at >= start, Mention.published_at < end),
        and_(
            Mention.published_at.is_(None),
            Mention.first_seen_at >= start,
            Mention.first_seen_at < end,
        ),
    )
    # Plain columns, not entities: a busy brand has tens of thousands of rows a week.
    query = (
        select(
            Mention.id,
            Mention.source_id,
            Mention.published_at,
            Mention.first_seen_at,
            Mention.url,
            Mention.author,
            Mention.rating,
            Mention.title,
            Mention.text,
            Mention.sentiment_label,
            Mention.touchpoints,
            Mention.backfill,
            Mention.language,
        )
        .where(Mention.brand_id == brand_id, in_range, *_of_sources(Mention, source_ids))
        .order_by(Mention.id)
    )
    return await _streamed(
        session,
        query,
        lambda row: MentionRow(
            id=row.id,
            source_id=row.source_id,
            at=row.published_at or row.first_seen_at,
            url=row.url,
            author=row.author,
            rating=row.rating,
            title=row.title,
            text=row.text or "",
            sentiment=row.sentiment_label,
            touchpoints=list(row.touchpoints or []),
            backfill=row.backfill,
            language=row.language,
        ),
    )


async def cases_created_between(
    session: AsyncSession,
    brand_id: int,
    start: datetime,
    end: datetime | None = None,
    *,
    source_ids: Collection[int] | None = None,
) -> list[CaseRow]:
    """Cases opened in [start, end); no end: up to now. `source_ids`: of these sources only."""
    until = () if end is None else (Case.created_at < end,)
    return await _cases(
        session,
        Case.brand_id == brand_id,
        Case.created_at >= start,
        *until,
        *_of_sources(Mention, source_ids),
    )


@dataclass(frozen=True, slots=True)
class OpenCases:
    """A brand's cases still waiting for work: how many, how many overdue, the oldest few."""

    total: int
    overdue: int
    oldest: list[CaseRow]


async def open_cases(
    session: AsyncSession,
    brand_id: int,
    now: datetime,
    *,
    limit: int,
    source_ids: Collection[int] | None = None,
) -> OpenCases:
    """Counted in SQL and only `limit` rows read: a neglected busy brand has tens of thousands
    of open cases, and reading them all held the event loop for seconds."""
    where = [Case.brand_id == brand_id, Case.status.in_(AWAITING_STATUSES)]
    if source_ids is not None:
        where.append(
            Case.mention_id.in_(select(Mention.id).where(Mention.source_id.in_(source_ids)))
        )
    overdue = and_(Case.due_at < now, Case.first_response_at.is_(None))
    counts = (
        await session.execute(
            select(func.count(), func.count().filter(overdue)).select_from(Case).where(*where)
        )
    ).one()
    return OpenCases(counts[0], counts[1], await _cases(session, *where, limit=limit))


async def source_events_between(
    session: AsyncSession,
    brand_id: int,
    start: datetime,
    end: datetime,
    *,
    source_ids: Collection[int] | None = None,
) -> list[SourceEventRow]:
    rows = await session.execute(
        select(SourceEvent)
        .join(Source, Source.id == SourceEvent.source_id)
        .where(
            Source.brand_id == brand_id,
            SourceEvent.at >= start,
            SourceEvent.at < end,
            *_of_sources(SourceEvent, source_ids),
        )
        .order_by(SourceEvent.at, SourceEvent.id)
    )
    return [SourceEventRow(row.source_id, row.at, row.kind, row.message) for row in rows.scalars()]


def _of_sources(
    table: type[Mention] | type[SourceEvent], source_ids: Collection[int] | None
) -> tuple[Any, ...]:
    return () if source_ids is None else (table.source_id.in_(list(source_ids)),)


async def _cases(session: AsyncSession, *where: Any, limit: int | None = None) -> list[CaseRow]:
    return await _streamed(
        session,
        select(
            Case.id,
            Case.mention_id,
            Case.status,
            Case.created_at,
            Case.due_at,
            Case.first_response_at,
            Case.assignee_id,
            Mention.url,
            Mention.source_id,
            Mention.text,
            Member.name,
        )
        .join(Mention, Mention.id == Case.mention_id)
        .outerjoin(
            Member, and_(Member.brand_id == Case.brand_id, Member.user_id == Case.assignee_id)
        )
        .where(*where)
        .order_by(Case.created_at, Case.id)
        .limit(limit),
        _case_row,
    )


def _case_row(row: Row[Any]) -> CaseRow:
    return CaseRow(
        id=row.id,
        mention_id=row.mention_id,
        status=row.status,
        created_at=row.created_at,
        due_at=row.due_at,
        first_response_at=row.first_response_at,
        mention_url=row.url,
        source_id=row.source_id,
        text=row.text or "",
        assignee_name=(row.name or str(row.assignee_id) if row.assignee_id is not None else None),
    )


async def _streamed(session: AsyncSession, query: Any, convert: Callable[[Row[Any]], T]) -> list[T]:
    """All rows of `query` as records, a partition at a time with a turn of the event loop
    between partitions: other chats are answered meanwhile instead of waiting while tens of
    thousands of rows become Python objects."""
    result = await session.stream(query.execution_options(yield_per=STREAM_PARTITION))
    records: list[T] = []
    async for partition in result.partitions():
        records.extend(map(convert, partition))
        await asyncio.sleep(0)
    return records


def _brand(row: Brand) -> BrandInfo:
    return BrandInfo(row.id, row.name, row.timezone, row.created_at)
