"""Small row factories and one controlled week of a brand's life, for digest tests.

The week: Monday 2026-10-05 .. Sunday 2026-10-11 in Europe/Moscow (UTC+3), the week before
for comparison, and a clock at Monday 2026-10-12 10:00 local, the default digest slot.
Expected figures are computed from the specs here with plain Python, independently of reports/.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Branch,
    Brand,
    BrandChat,
    Case,
    Chat,
    Member,
    Mention,
    Source,
    SourceEvent,
)

MSK = ZoneInfo("Europe/Moscow")
WEEK_START = date(2026, 10, 5)
NOW = datetime(2026, 10, 12, 10, 0, tzinfo=MSK).astimezone(UTC)
CHAT_ID = -100777
OWNER_ID = 5001
STRANGER_ID = 6002
_ids = itertools.count(1)
Row = TypeVar("Row")


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=MSK).astimezone(UTC)


async def _saved(session: AsyncSession, row: Row) -> Row:
    """The row added and flushed, so its id is known."""
    session.add(row)
    await session.flush()
    return row


async def add_brand(session: AsyncSession, name: str, created_at: datetime, **kw: Any) -> Brand:
    return await _saved(session, Brand(name=name, created_at=created_at, **kw))


async def add_source(session: AsyncSession, brand: Brand, kind: str, url: str, **kw: Any) -> Source:
    return await _saved(
        session, Source(brand_id=brand.id, kind=kind, url=url, created_at=brand.created_at, **kw)
    )


async def add_mention(
    session: AsyncSession,
    source: Source,
    *,
    text: str,
    published_at: datetime | None,
    first_seen_at: datetime,
    sentiment: str | None = None,
    rating: float | None = None,
    touchpoints: list[Any] | None = None,
    backfill: bool = False,
    url: str | None = None,
    author: str = "Гость",
) -> Mention:
    key = f"m{next(_ids)}"
    return await _saved(
        session,
        Mention(
            source_id=source.id,
            brand_id=source.brand_id,
            dedup_key=key,
            external_id=key,
            content_hash=hashlib.sha256(key.encode()).hexdigest(),
            url=url or f"https://reviews.example/{key}",
            author=author,
            rating=rating,
            text=text,
            published_at=published_at,
            first_seen_at=first_seen_at,
            sentiment_label=sentiment,
            touchpoints=touchpoints or [],
            backfill=backfill,
        ),
    )


async def add_case(
    session: AsyncSession,
    mention: Mention,
    *,
    created_at: datetime,
    status: str = "new",
    due_at: datetime | None = None,
    first_response_at: datetime | None = None,
) -> Case:
    return await _saved(
        session,
        Case(
            mention_id=mention.id,
            brand_id=mention.brand_id,
            status=status,
            due_at=due_at,
            first_response_at=first_response_at,
            created_at=created_at,
            updated_at=first_response_at or created_at,
        ),
    )


async def add_chat(
    session: AsyncSession,
    chat_id: int,
    brand: Brand,
    *,
    created_at: datetime,
    language: str = "ru",
    timezone: str = "Europe/Moscow",
    **kw: Any,
) -> Chat:
    chat = await _saved(
        session,
        Chat(id=chat_id, language=language, timezone=timezone, created_at=created_at, **kw),
    )
    await _saved(session, BrandChat(brand_id=brand.id, chat_id=chat_id))
    return chat


async def add_member(
    session: AsyncSession, brand: Brand, user_id: int, role: str = "owner"
) -> None:
    await _saved(
        session,
        Member(
            brand_id=brand.id, user_id=user_id, role=role, name="Owner", created_at=brand.created_at
        ),
    )


@dataclass
class MentionSpec:
    day: date
    hour: int
    source: str
    sentiment: str | None
    rating: float | None
    text: str
    touchpoints: list[dict[str, str]] = field(default_factory=list)
    published: bool = True
    backfill: bool = False
    minute: int = 0

    @property
    def at(self) -> datetime:
        return local(self.day, self.hour, self.minute)


@dataclass
class CaseSpec:
    mention: int  # index into Week.current
    created_hours: float  # after the mention
    status: str
    due_hours: float | None
    response_hours: float | None


@dataclass
class Week:
    brand_id: int
    brand_name: str
    current: list[MentionSpec]
    previous: list[MentionSpec]
    outside: list[MentionSpec]
    cases: list[CaseSpec]
    open_case_ids: list[int]
    failing_sources: dict[str, int]
    mention_ids: list[int] = field(default_factory=list)


D = [WEEK_START + timedelta(days=offset) for offset in range(7)]
P = [WEEK_START - timedelta(days=7 - offset) for offset in range(7)]
STAFF_NEG = [{"tag": "staff", "polarity": "negative"}]
WAIT_NEG = [{"tag": "waiting", "polarity": "negative"}]
FOOD_POS = [{"tag": "product", "polarity": "positive"}]


def week_specs() -> tuple[list[MentionSpec], list[MentionSpec], list[MentionSpec]]:
    current = [
        # Monday 01:00 Moscow is Sunday 22:00 UTC: it belongs to this week, not the last.
        MentionSpec(D[0], 1, "yandex_maps", "positive", 5, "Очень вкусно! Вернёмся ещё.", FOOD_POS),
        MentionSpec(D[0], 13, "yandex_maps", "negative", 1,
                    "Официант нахамил <b>нам</b> & ушёл. Больше не придём.", STAFF_NEG),
        MentionSpec(D[1], 12, "twogis", "negative", 2, "Ждали заказ 50 минут.", WAIT_NEG),
        MentionSpec(D[1], 18, "twogis", "positive", 5, "Свежая выпечка, всё вкусно.", FOOD_POS),
        MentionSpec(D[2], 9, "yandex_maps", "neutral", 4, "Нормально, но шумно."),
        MentionSpec(D[3], 20, "yandex_maps", "negative", 2, "Грубый администратор. Ужас.", STAFF_NEG),
        MentionSpec(D[4], 11, "otzovik", "positive", None, "Лучший кофе в городе", FOOD_POS,
                    published=False),
        MentionSpec(D[5], 15, "twogis", "negative", 1, "Снова ждали больше часа", WAIT_NEG + STAFF_NEG),
        MentionSpec(D[5], 16, "yandex_maps", "positive", 5, "Отличный сервис", backfill=True),
        MentionSpec(D[6], 23, "yandex_maps", None, 3, "Пока не оценено", minute=30),
    ]  # fmt: skip
    previous = [
        MentionSpec(P[0], 12, "yandex_maps", "positive", 5, "Прекрасно", FOOD_POS),
        MentionSpec(P[2], 12, "yandex_maps", "positive", 4, "Хорошо"),
        MentionSpec(P[3], 12, "twogis", "negative", 2, "Долго ждали", WAIT_NEG),
        MentionSpec(P[6], 22, "twogis", "neutral", 4, "Обычно"),
    ]
    outside = [
        # Monday 00:30 of the next week (Sunday 21:30 UTC): not in this digest.
        MentionSpec(D[6] + timedelta(days=1), 0, "yandex_maps", "negative", 1, "Поздно", minute=30),
        MentionSpec(P[0] - timedelta(days=3), 12, "yandex_maps", "negative", 1, "Давно было"),
    ]
    return current, previous, outside


CASES = [
    # mention 1: answered in 30 min, on time
    CaseSpec(1, 0.05, "replied", 1.0, 0.5),
    # mention 2: answered after 3 h, deadline 1 h: missed
    CaseSpec(2, 0.05, "resolved", 1.0, 3.0),
    # mention 5: no answer, deadline passed: missed, still open
    CaseSpec(5, 0.05, "new", 1.0, None),
    # mention 7: ignored spam without an answer: out of the rate
    CaseSpec(7, 0.05, "ignored", 1.0, None),
]


async def build_week(session: AsyncSession, brand_name: str = "Кофемания <&>") -> Week:
    brand = await add_brand(session, brand_name, datetime(2026, 9, 1, tzinfo=UTC))
    sources = {
        "yandex_maps": await add_source(session, brand, "yandex_maps", "https://yandex.ru/maps/org/1/"),
        "twogis": await add_source(session, brand, "twogis", "https://2gis.ru/moscow/firm/2"),
        "otzovik": await add_source(
            session, brand, "otzovik", "https://otzovik.com/reviews/cafe/", health="unhealthy",
            last_error="HTTP 503",
        ),
    }  # fmt: skip
    current, previous, outside = week_specs()
    rows = []
    for spec in [*current, *previous, *outside]:
        rows.append(
            await add_mention(
                session,
                sources[spec.source],
                text=spec.text,
                published_at=spec.at if spec.published else None,
                first_seen_at=spec.at if not spec.published else spec.at + timedelta(minutes=7),
                sentiment=spec.sentiment,
                rating=spec.rating,
                touchpoints=spec.touchpoints,
                backfill=spec.backfill,
            )
        )
    open_ids = []
    for case in CASES:
        spec, mention = current[case.mention], rows[case.mention]
        created = spec.at + timedelta(hours=case.created_hours)
        row = await add_case(
            session,
            mention,
            created_at=created,
            status=case.status,
            due_at=created + timedelta(hours=case.due_hours) if case.due_hours else None,
            first_response_at=created + timedelta(hours=case.response_hours)
            if case.response_hours is not None
            else None,
        )
        if case.status in ("new", "in_progress"):
            open_ids.append(row.id)
    # A case from the week before, answered in 2 hours, for the comparison.
    prev_created = previous[2].at
    await add_case(
        session,
        rows[len(current) + 2],
        created_at=prev_created,
        status="replied",
        due_at=prev_created + timedelta(hours=1),
        first_response_at=prev_created + timedelta(hours=2),
    )
    for hour in (3, 4):
        session.add(
            SourceEvent(source_id=sources["twogis"].id, at=local(D[2], hour), kind="error",
                        message="timeout <after 30 s>")
        )  # fmt: skip
    session.add(SourceEvent(source_id=sources["twogis"].id, at=local(D[2], 5), kind="recovered"))
    # A failure of the week before must not count.
    session.add(SourceEvent(source_id=sources["yandex_maps"].id, at=local(P[1], 5), kind="error"))
    await session.flush()
    return Week(
        brand_id=brand.id,
        brand_name=brand_name,
        current=current,
        previous=previous,
        outside=outside,
        cases=CASES,
        open_case_ids=open_ids,
        failing_sources={"twogis": 2, "otzovik": 0},
        mention_ids=[row.id for row in rows],
    )


async def add_branch(
    session: AsyncSession, brand: Brand, name: str, city: str = "Москва", **kw: Any
) -> Branch:
    return await _saved(
        session, Branch(brand_id=brand.id, name=name, city=city, created_at=brand.created_at, **kw)
    )


@dataclass
class Chain:
    brand_id: int
    branch_ids: dict[str, int]
    competitor_ids: dict[str, int]
    # (branch or competitor name, week: "current" | "previous") → [(sentiment, rating, tags)]
    plan: dict[tuple[str, str], list[tuple[str, float, list[dict[str, str]]]]]


def _marks(sentiment: str, *tags: str) -> list[dict[str, str]]:
    return [{"tag": tag, "polarity": sentiment} for tag in tags]


def chain_plan() -> dict[tuple[str, str], list[tuple[str, float, list[dict[str, str]]]]]:
    """Three branches and two competitors; Тверская falls hardest, Арбат leads."""
    pos, neg, neu = "positive", "negative", "neutral"
    return {
        ("Арбат", "current"): [
            (pos, 5, _marks(pos, "staff", "product")), (pos, 5, _marks(pos, "product")),
            (pos, 4, _marks(pos, "staff")), (pos, 5, []), (neg, 2, _marks(neg, "waiting")),
        ],
        ("Арбат", "previous"): [(pos, 5, []), (pos, 4, []), (neg, 1, _marks(neg, "staff"))],
        ("Невский", "current"): [
            (pos, 4, _marks(pos, "product")), (neg, 1, _marks(neg, "staff", "waiting")),
            (neg, 1, _marks(neg, "staff")), (neg, 2, _marks(neg, "price")), (neu, 3, []),
        ],
        ("Невский", "previous"): [(pos, 5, []), (neg, 2, []), (neg, 1, [])],
        ("Тверская", "current"): [
            (pos, 5, _marks(pos, "product")), (pos, 4, []),
            (neg, 1, _marks(neg, "waiting")), (neg, 2, _marks(neg, "staff")),
        ],
        ("Тверская", "previous"): [(pos, 5, []), (pos, 5, []), (pos, 4, [])],
        ("Шоколадница", "current"): [
            (pos, 4, _marks(pos, "product")), (pos, 5, []),
            (neg, 2, _marks(neg, "price")), (neg, 1, _marks(neg, "staff")),
        ],
        ("Старбакс", "current"): [
            (pos, 5, _marks(pos, "product")), (pos, 5, []), (pos, 4, _marks(pos, "staff")),
        ],
    }  # fmt: skip


async def build_chain(session: AsyncSession, name: str = "Кофемания") -> Chain:
    """A 3-branch brand with 2 competitors over the factories' week and the week before."""
    created = datetime(2026, 9, 1, tzinfo=UTC)
    brand = await add_brand(session, name, created)
    branch_ids: dict[str, int] = {}
    sources: dict[str, Source] = {}
    for n, branch_name in enumerate(("Арбат", "Невский", "Тверская")):
        branch = await add_branch(session, brand, branch_name)
        branch_ids[branch_name] = branch.id
        sources[branch_name] = await add_source(
            session, brand, "twogis", f"https://2gis.ru/moscow/firm/{100 + n}", branch_id=branch.id
        )
    competitor_ids: dict[str, int] = {}
    for n, rival_name in enumerate(("Шоколадница", "Старбакс")):
        rival = await add_brand(session, rival_name, created, competitor_of_id=brand.id)
        competitor_ids[rival_name] = rival.id
        sources[rival_name] = await add_source(
            session, rival, "twogis", f"https://2gis.ru/moscow/firm/{200 + n}"
        )
    plan = chain_plan()
    for (owner, week), rows in plan.items():
        days = D if week == "current" else P
        for n, (sentiment, rating, tags) in enumerate(rows):
            at = local(days[n % 7], 12, n)
            await add_mention(
                session,
                sources[owner],
                text=f"{owner}: {sentiment} отзыв номер {n}" + "!" * int(rating),
                published_at=at,
                first_seen_at=at,
                sentiment=sentiment,
                rating=rating,
                touchpoints=tags,
            )
    return Chain(brand.id, branch_ids, competitor_ids, plan)
