"""Spike incidents against a brand's own baseline: an ordinary (busy) Monday is quiet; a wave of
near-duplicate negatives right after a Telegram post opens one incident whose message grows by
edits, through the real bot client and the fake Bot API; on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import TelegramNotifier
from otklik.incidents import check_spikes
from otklik.pipeline import Pipeline
from otklik.sender import Sender
from otklik.spikes import SpikeRule, near_duplicates, poisson_tail
from scrapers.records import ScrapedItem
from sentiment import load_classifier
from sentiment.errors import SentimentError
from sentiment.records import Sentiment
from storage.models import Brand, Incident, Mention, Source
from storage.repositories.sources import get_source
from tests.fakes.listed_source import ListedSource
from tests.fakes.telegram_api import FakeTelegram
from tests.reports.factories import add_branch, add_brand, add_chat, add_mention, add_source

MSK = ZoneInfo("Europe/Moscow")
MONDAY = datetime(2026, 10, 12, 14, 0, tzinfo=MSK)  # an ordinary, busy Monday afternoon
CHAT = -100900
COPY = "Ужасное обслуживание, официант нахамил, больше никогда не придём в это кафе"


def test_poisson_tail_and_near_duplicates() -> None:
    mean = 1.3
    direct = sum(math.exp(-mean) * mean**k / math.factorial(k) for k in range(4, 60))
    assert poisson_tail(4, mean) == pytest.approx(direct)
    assert poisson_tail(0, mean) == 1.0
    texts = [COPY, COPY.replace("кафе", "место"), "Вкусно, но долго", COPY + "!!!", "Холодный суп"]
    assert near_duplicates(texts) == 3


def test_weekday_profile_makes_a_busy_monday_ordinary() -> None:
    rule = SpikeRule()
    history = {
        (MONDAY - timedelta(days=d)).date(): (
            6 if (MONDAY - timedelta(days=d)).weekday() == 0 else 1
        )
        for d in range(1, 29)
    }
    monday = rule.expected(history, 0)
    tuesday = rule.expected(history, 1)
    assert monday > 3 * tuesday
    assert not rule.is_spike(5, monday)  # five on a Monday afternoon is a Monday
    assert rule.is_spike(8, tuesday)


async def _brand_with_history(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    """28 days: six negatives every Monday, one on other days; a Telegram channel source."""
    async with sessions.begin() as session:
        brand = await add_brand(session, "Кофемания", datetime(2026, 8, 1, tzinfo=UTC))
        branch = await add_branch(session, brand, "Арбат")
        source = await add_source(
            session, brand, "twogis", "https://2gis.ru/moscow/firm/1", branch_id=branch.id
        )
        await add_source(session, brand, "telegram", "https://t.me/s/moscow_food")
        await add_chat(session, CHAT, brand, created_at=brand.created_at)
        for d in range(1, 29):
            day = MONDAY - timedelta(days=d)
            for n in range(6 if day.weekday() == 0 else 1):
                at = day.replace(hour=10 + n)
                await add_mention(
                    session, source, text=f"Долго ждали {d}-{n}", published_at=at,
                    first_seen_at=at, sentiment="negative", author=f"Постоянный {n}",
                )  # fmt: skip
        return brand.id, source.id


async def _negatives(
    sessions: async_sessionmaker[AsyncSession],
    source_id: int,
    start: datetime,
    texts: list[str],
    *,
    prefix: str,
) -> None:
    async with sessions.begin() as session:
        source = await session.get_one(Source, source_id)
        for n, text in enumerate(texts):
            at = start + timedelta(minutes=5 * n)
            await add_mention(
                session, source, text=text, published_at=at, first_seen_at=at,
                sentiment="negative", rating=1, author=f"{prefix}{n}",
                touchpoints=[{"tag": "staff", "polarity": "negative"}],
            )  # fmt: skip


async def _incidents(sessions: async_sessionmaker[AsyncSession]) -> list[Incident]:
    async with sessions() as session:
        return list(await session.scalars(select(Incident).order_by(Incident.id)))


async def test_an_ordinary_monday_opens_no_incident(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    _, source_id = await _brand_with_history(sessions)
    texts = ["Долго несли заказ", "Холодный кофе", "Шумно", "Грязный стол", "Нет мест"]
    await _negatives(sessions, source_id, MONDAY - timedelta(hours=4), texts, prefix="Постоянный ")
    async with sessions.begin() as session:
        assert await check_spikes(session, source_id, MONDAY.astimezone(UTC)) == 0
    assert await _incidents(sessions) == []


async def test_a_wave_after_a_post_is_one_incident_that_grows(
    sessions: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    brand_id, source_id = await _brand_with_history(sessions)
    tuesday = MONDAY + timedelta(days=1)
    async with sessions.begin() as session:
        channel = await session.scalar(select(Source).where(Source.kind == "telegram"))
        assert channel is not None
        await add_mention(
            session, channel, text="Блогер: в «Кофемании» на Арбате мне нахамили, не ходите туда",
            published_at=tuesday - timedelta(hours=3), first_seen_at=tuesday - timedelta(hours=3),
            sentiment="negative", url="https://t.me/moscow_food/812",
        )  # fmt: skip
    wave = [COPY, COPY.replace("кафе", "заведение"), "", COPY + "!!!", "", "Отвратительно", COPY]
    await _negatives(sessions, source_id, tuesday - timedelta(minutes=40), wave, prefix="Новый ")
    now = tuesday.astimezone(UTC)
    async with sessions.begin() as session:
        # The brand's scope and the branch's: one incident each, the branch's has no chat.
        assert await check_spikes(session, source_id, now) == 2
    # Quiet hours hold the incident back like any alert; afterwards it goes out.
    async with sessions.begin() as session:
        await session.execute(
            update(Brand).where(Brand.id == brand_id).values(quiet_start="13:00", quiet_end="15:00")
        )
    notifier = TelegramNotifier(fake_telegram.make_bot(), sessions, clock=lambda: now)
    assert await Sender(sessions, notifier, clock=lambda: now).drain_once() == 0
    async with sessions.begin() as session:
        await session.execute(update(Brand).values(quiet_start=None, quiet_end=None))
    sender = Sender(sessions, notifier, clock=lambda: now + timedelta(hours=2))
    assert await sender.drain_once() == 1
    (first,) = fake_telegram.calls_of("sendMessage", chat_id=CHAT)
    text = first.text or ""
    assert "🚨 Всплеск негатива · Кофемания" in text and "<b>7</b>" in text
    assert "2ГИС 7" in text and "Telegram 1" not in text
    assert "персонал 7" in text
    for signal in (
        "новые авторы (7 из 7)",
        "похожие тексты (4)",
        "оценки без текста (2)",
        "всё за 30 мин",
    ):
        assert signal in text
    assert "https://t.me/moscow_food/812" in text and "блогер" in text.lower()

    # Four more reviews twenty minutes later: the same incident grows; the message is edited.
    later = tuesday + timedelta(minutes=20)
    await _negatives(sessions, source_id, later - timedelta(minutes=15), [COPY] * 4, prefix="Ещё ")
    async with sessions.begin() as session:
        assert await check_spikes(session, source_id, later.astimezone(UTC)) == 2
    sender = Sender(
        sessions, TelegramNotifier(fake_telegram.make_bot(), sessions), clock=lambda: later
    )
    await sender.drain_once()
    assert len(fake_telegram.calls_of("sendMessage", chat_id=CHAT)) == 1
    (edit,) = fake_telegram.calls_of("editMessageText", chat_id=CHAT)
    assert "<b>11</b>" in (edit.text or "")
    assert fake_telegram.message(CHAT, first.result["message_id"])["text"] == edit.text
    incidents = await _incidents(sessions)
    brand_wide = [i for i in incidents if i.branch_id is None]
    assert len(brand_wide) == 1 and brand_wide[0].version == 2 and brand_wide[0].negatives == 11
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Incident)) == 2
    assert brand_id == brand_wide[0].brand_id


@pytest.mark.parametrize("stored_unclassified", [False, True], ids=["poll", "classified later"])
async def test_a_wave_that_arrives_by_polling_opens_incidents(
    sessions: async_sessionmaker[AsyncSession], stored_unclassified: bool
) -> None:
    """Through the pipeline: the poll that brings the wave, or the classifier catching up
    with reviews stored while it was down, checks for a spike."""
    _, source_id = await _brand_with_history(sessions)
    tuesday = MONDAY + timedelta(days=1)
    wave = [
        ScrapedItem(
            f"wave-{n}",
            f"https://2gis.ru/review/{n}",
            f"{COPY} ({n})",
            author=f"Новый {n}",
            rating=1,
            published_at=(tuesday - timedelta(minutes=40 - 5 * n)).astimezone(UTC),
        )
        for n in range(7)
    ]
    async with sessions.begin() as session:
        await session.execute(update(Source).values(backfilled=True))
        await session.execute(update(Mention).values(classified_at=MONDAY.astimezone(UTC)))
    async with sessions() as session:
        record = await get_source(session, source_id)
    assert record is not None
    classifier = load_classifier("keywords")
    pipeline = Pipeline(
        sessions,
        lambda _spec: ListedSource(wave),
        _Failing() if stored_unclassified else classifier,
        clock=lambda: tuesday.astimezone(UTC),
    )
    await pipeline.poll(record)
    if stored_unclassified:
        assert await _incidents(sessions) == []
        pipeline = Pipeline(
            sessions,
            lambda _spec: ListedSource([]),
            classifier,
            clock=lambda: tuesday.astimezone(UTC),
        )
        assert await pipeline.classify_pending() == len(wave)
    # The brand's scope and the branch's.
    assert len(await _incidents(sessions)) == 2


class _Failing:
    """A classifier that is down: the poll stores the reviews unclassified."""

    name = "down"
    fallback_reason = None

    async def classify(self, batch: object) -> list[Sentiment]:
        raise SentimentError("model is down")
