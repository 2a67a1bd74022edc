"""Weekly digest: how long figures, text and chart take, and the README's example digest.

    python bench/digest.py [--mentions-per-week 80] [--large 20000] [--example-png docs/digest_example.png]

Builds a synthetic brand (four sources, two weeks of reviews with sentiment, ratings,
touchpoints and cases, one failing source) in a temporary SQLite database, queues the weekly
digest through the real scheduler and renders it. Then does the same for a large brand.
Prints the example digest (Telegram HTML) and timings; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from otklik.digest_schedule import queue_due_digests  # noqa: E402
from reports import build_figures, digest_html, render_chart, week_before  # noqa: E402
from storage.db import make_engine, make_sessionmaker, upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    Brand,
    BrandChat,
    Case,
    Chat,
    Mention,
    Source,
    SourceEvent,
)
from storage.repositories import stats  # noqa: E402

MSK = ZoneInfo("Europe/Moscow")
SLOT = datetime(2026, 10, 12, 10, 0, tzinfo=MSK)  # Monday 10:00, the default slot
SOURCES = [
    ("yandex_maps", "https://yandex.ru/maps/org/kofemaniya/1018907821/", 0.45),
    ("twogis", "https://2gis.ru/moscow/firm/4504127908538316", 0.3),
    ("google_maps", "https://www.google.com/maps/place/?q=place_id:ChIJ", 0.15),
    ("otzovik", "https://otzovik.com/reviews/kofemaniya/", 0.1),
]
# (sentiment, rating, touchpoints, text): a few Russian reviews the generator repeats.
REVIEWS = [
    ("positive", 5, [("product", "positive")], "Лучший раф в городе, десерты свежие. Спасибо!"),
    ("positive", 5, [("staff", "positive")], "Бариста Алина — чудо, всё объяснила и посоветовала."),
    ("positive", 4, [("place", "positive")], "Уютный зал, тихо, удобно работать с ноутбуком."),
    ("neutral", 4, [("price", "negative")], "Вкусно, но цены кусаются: 450 ₽ за капучино."),
    ("neutral", 3, [], "Обычная кофейня, ничего особенного."),
    ("negative", 1, [("staff", "negative")], "Администратор нахамил и отказался менять заказ."),
    ("negative", 2, [("waiting", "negative")], "Ждали завтрак 40 минут, хотя зал был пустой."),
    ("negative", 2, [("delivery", "negative")], "Курьер опоздал на час, всё остыло."),
    ("negative", 1, [("waiting", "negative"), ("staff", "negative")], "Очередь, касса одна, персонал не торопится."),
]  # fmt: skip
WEIGHTS_THIS_WEEK = [14, 8, 6, 6, 5, 5, 6, 2, 3]
WEIGHTS_WEEK_BEFORE = [16, 9, 7, 5, 6, 3, 3, 1, 1]


async def build_brand(
    sessions: async_sessionmaker[AsyncSession], name: str, per_week: int, seed: int
) -> tuple[int, int]:
    rng = random.Random(seed)
    created = datetime(2026, 3, 1, tzinfo=UTC)
    async with sessions() as session, session.begin():
        brand = Brand(name=name, created_at=created)
        session.add(brand)
        await session.flush()
        sources = []
        for kind, url, _share in SOURCES:
            source = Source(brand_id=brand.id, kind=kind, url=url, created_at=created)
            sources.append(source)
            session.add(source)
        await session.flush()
        chat_id = -1000 - brand.id
        session.add(Chat(id=chat_id, title="PR", created_at=created))
        await session.flush()
        session.add(BrandChat(brand_id=brand.id, chat_id=chat_id))
        week = week_before(SLOT.date(), "Europe/Moscow")
        mentions = []
        for first, weights in (
            (week.previous().first_day, WEIGHTS_WEEK_BEFORE),
            (week.first_day, WEIGHTS_THIS_WEEK),
        ):
            for n in range(per_week):
                day = first + timedelta(
                    days=rng.choices(range(7), weights=[5, 5, 6, 6, 8, 9, 7])[0]
                )
                at = datetime(
                    day.year, day.month, day.day, rng.randint(8, 22), rng.randint(0, 59), tzinfo=MSK
                )
                sentiment, rating, touchpoints, text = rng.choices(REVIEWS, weights=weights)[0]
                source = rng.choices(sources, weights=[s[2] for s in SOURCES])[0]
                mentions.append(
                    Mention(
                        source_id=source.id, brand_id=brand.id, dedup_key=f"{day}-{n}-{first}",
                        content_hash=f"{seed}-{first}-{n}", url=f"{source.url.rstrip('/')}/review/{first}-{n}",
                        author="Гость", text=text, published_at=at, first_seen_at=at + timedelta(minutes=9),
                        rating=None if source.kind == "otzovik" else rating, sentiment_label=sentiment,
                        touchpoints=[{"tag": tag, "polarity": pol} for tag, pol in touchpoints],
                    )
                )  # fmt: skip
        session.add_all(mentions)
        await session.flush()
        for mention in mentions:
            if mention.sentiment_label != "negative":
                continue
            opened = mention.first_seen_at
            minutes = rng.choice([12, 25, 40, 55, 75, 130, None])
            answered = opened + timedelta(minutes=minutes) if minutes else None
            session.add(
                Case(
                    mention_id=mention.id, brand_id=brand.id, created_at=opened, updated_at=opened,
                    status="replied" if answered else "new", due_at=opened + timedelta(hours=1),
                    first_response_at=answered,
                )
            )  # fmt: skip
        failing = sources[3]
        for hour in (2, 3, 4, 5):
            at = datetime.combine(week.first_day + timedelta(days=3), datetime.min.time(), MSK)
            session.add(
                SourceEvent(source_id=failing.id, at=at + timedelta(hours=hour), kind="error",
                            message="HTTP 503 Service Unavailable")
            )  # fmt: skip
        failing.health = "unhealthy"
        failing.last_error = "HTTP 503 Service Unavailable"
    return brand.id, chat_id


async def measure(
    url: str, per_week: int, name: str, seed: int
) -> tuple[dict[str, float], str, bytes]:
    engine = make_engine(url)
    await upgrade(engine)
    sessions = make_sessionmaker(engine)
    brand_id, _chat = await build_brand(sessions, name, per_week, seed)
    started = time.perf_counter()
    queued = await queue_due_digests(sessions, SLOT.astimezone(UTC))
    queue_s = time.perf_counter() - started
    assert queued == 1, queued
    async with sessions() as session:
        brand = await stats.brand_by_id(session, brand_id)
        assert brand is not None
        started = time.perf_counter()
        figures = await build_figures(
            session, brand, week_before(SLOT.date(), "Europe/Moscow"), SLOT
        )
        figures_s = time.perf_counter() - started
    started = time.perf_counter()
    text = digest_html(figures, "ru")
    text_s = time.perf_counter() - started
    started = time.perf_counter()
    png = render_chart(figures, "ru")
    chart_s = time.perf_counter() - started
    await engine.dispose()
    timings = {
        "mentions_in_week": figures.current.total,
        "queue_ms": round(queue_s * 1000, 1),
        "figures_ms": round(figures_s * 1000, 1),
        "text_ms": round(text_s * 1000, 2),
        "chart_ms": round(chart_s * 1000, 1),
        "png_kib": round(len(png) / 1024, 1),
    }
    return timings, text, png


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions-per-week", type=int, default=80)
    parser.add_argument("--large", type=int, default=20000, help="mentions per week, large brand")
    parser.add_argument("--example-png", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        small, text, png = await measure(
            f"sqlite+aiosqlite:///{folder}/small.db", args.mentions_per_week, "Кофемания", 7
        )
        large, _text, _png = await measure(
            f"sqlite+aiosqlite:///{folder}/large.db", args.large, "Большая сеть", 11
        )
    if args.example_png:
        args.example_png.parent.mkdir(parents=True, exist_ok=True)
        args.example_png.write_bytes(png)
    print("Example digest (Telegram HTML), week 5–11 Oct 2026:\n")
    print(text)
    print()
    for label, figures in (("example", small), ("large", large)):
        print(
            f"{label:>8}: {figures['mentions_in_week']} mentions in the week; queue "
            f"{figures['queue_ms']} ms, figures {figures['figures_ms']} ms, text "
            f"{figures['text_ms']} ms, chart {figures['chart_ms']} ms ({figures['png_kib']} KiB PNG)"
        )
    print(json.dumps({"example": small, "large": large}))


if __name__ == "__main__":
    asyncio.run(main())
