"""Reply drafts: how long one takes per case, from templates and through a language model
(the model's round trip excluded), and with the bot's storage work around it.

    python bench/drafts.py [--cases 2000]

1. Template drafts in memory for `--cases` reviews of one brand on one day (each must read
   differently from all before it, so the last ones search hardest), Russian and English,
   criticism and praise, cycling platforms (Google Play's 350-character limit included).
2. The same through bot.drafting.new_draft on SQLite: the brand's settings, templates and the
   day's fingerprints read, the draft stored: what pressing 📝 costs besides Telegram.
3. Language-model drafts against the local fake OpenAI-compatible server: prompt building and
   the answer's checks, with the HTTP round trip subtracted.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.drafting import new_draft  # noqa: E402
from replies import (  # noqa: E402
    Drafter,
    DraftRequest,
    LLMClient,
    LLMSettings,
    Review,
    Tone,
    Touchpoint,
    Voice,
    template_draft,
)
from storage.db import make_engine, make_sessionmaker, upgrade  # noqa: E402
from storage.models import Brand, Mention, Source  # noqa: E402
from storage.repositories import mentions as mentions_repo  # noqa: E402
from tests.fakes.openai_api import FakeLLM  # noqa: E402

NEG, POS = Tone.NEGATIVE, Tone.POSITIVE
REVIEWS = [
    ("Ждали заказ час, официант нагрубил.", NEG, [("staff", NEG), ("waiting", NEG)]),
    (
        "Курьер опоздал, всё остыло, а цены как в ресторане.",
        NEG,
        [("delivery", NEG), ("price", NEG)],
    ),
    ("Приложение вылетает, поддержка не отвечает.", NEG, [("digital", NEG), ("support", NEG)]),
    ("Лучший раф в городе, бариста Алина — чудо!", POS, [("product", POS), ("staff", POS)]),
    ("Уютный зал, но обслуживание медленное.", NEG, [("place", POS), ("waiting", NEG)]),
    ("The waiter was rude and we waited an hour.", NEG, [("staff", NEG), ("waiting", NEG)]),
    (
        "Great coffee, friendly staff, fair prices.",
        POS,
        [("product", POS), ("staff", POS), ("price", POS)],
    ),
]
AUTHORS = ["Иван", None, "Мария Петрова", "coffee_lover_92", "Anna"]
PLATFORMS = ["twogis", "google_play", "google_business", "yandex_maps", "appstore"]
LLM_ANSWER = (
    "Иван, здравствуйте! Простите за долгое ожидание и грубость официанта: так быть не должно. "
    "Разберёмся с персоналом и напишем вам.\n\nКоманда Кофемании"
)


def review(index: int) -> Review:
    text, tone, tags = REVIEWS[index % len(REVIEWS)]
    return Review(
        text=text,
        author=AUTHORS[index % len(AUTHORS)],
        tone=tone,
        touchpoints=tuple(Touchpoint(tag, polarity) for tag, polarity in tags),
        platform=PLATFORMS[index % len(PLATFORMS)],
    )


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
    }


def templates_in_memory(cases: int) -> dict[str, object]:
    voice = Voice(brand="Кофемания")
    used: set[str] = set()
    times: list[float] = []
    for index in range(cases):
        started = time.perf_counter()
        draft = template_draft(DraftRequest(review(index), voice, frozenset(used), seed=index))
        times.append(time.perf_counter() - started)
        used.add(draft.fingerprint)
    last = times[-max(1, cases // 10) :]
    return {
        "cases": cases,
        "distinct": len(used),
        **summary(times),
        "last_tenth_median_ms": round(statistics.median(last) * 1000, 3),
    }


async def templates_with_storage(folder: str, cases: int) -> dict[str, object]:
    engine = make_engine(f"sqlite+aiosqlite:///{folder}/drafts.db")
    await upgrade(engine)
    sessions = make_sessionmaker(engine)
    now = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    async with sessions.begin() as session:
        brand = Brand(name="Кофемания", aliases=["Кофемания"], created_at=now)
        session.add(brand)
        await session.flush()
        source = Source(
            brand_id=brand.id, kind="twogis", url="https://2gis.ru/firm/1", created_at=now
        )
        session.add(source)
        await session.flush()
        for index in range(cases):
            item = review(index)
            session.add(
                Mention(
                    source_id=source.id,
                    brand_id=brand.id,
                    dedup_key=f"r{index}",
                    external_id=f"r{index}",
                    content_hash=f"h{index}",
                    author=item.author,
                    text=item.text,
                    first_seen_at=now,
                    sentiment_label=item.tone.value,
                    touchpoints=[
                        {"tag": t.tag, "polarity": t.polarity.value} for t in item.touchpoints
                    ],
                )
            )
    drafter = Drafter()
    times: list[float] = []
    try:
        async with sessions() as session:
            mentions = await mentions_repo.get_mentions(session, list(range(1, cases + 1)))
        for mention in mentions:
            started = time.perf_counter()
            async with sessions.begin() as session:
                await new_draft(session, drafter, mention, case_id=None, actor_id=1, now=now)
            times.append(time.perf_counter() - started)
    finally:
        await engine.dispose()
    return {"cases": len(times), **summary(times)}


class TimedClient(LLMClient):
    """Counts the time spent waiting on the model, to subtract it."""

    waited = 0.0

    async def complete(self, messages: list[dict[str, str]]) -> str:
        started = time.perf_counter()
        try:
            return await super().complete(messages)
        finally:
            self.waited = time.perf_counter() - started


async def llm_drafts(cases: int) -> dict[str, object]:
    fake = await FakeLLM(default=LLM_ANSWER).start()
    voice = Voice(brand="Кофемания", signature="Команда Кофемании", tone_notes="тепло, на «вы»")
    item = Review(
        text="Ждали заказ час, официант нагрубил.",
        author="Иван",
        tone=NEG,
        touchpoints=(Touchpoint("staff", NEG), Touchpoint("waiting", NEG)),
        platform="google_business",
    )
    own: list[float] = []
    round_trips: list[float] = []
    try:
        async with aiohttp.ClientSession() as http:
            client = TimedClient(http, LLMSettings(url=fake.url, model="bench"))
            drafter = Drafter(client)
            for _ in range(cases):
                started = time.perf_counter()
                draft = await drafter.draft(DraftRequest(item, voice))
                total = time.perf_counter() - started
                assert draft.fallback is None, draft.note
                own.append(total - client.waited)
                round_trips.append(client.waited)
    finally:
        await fake.close()
    return {
        "cases": cases,
        **summary(own),
        "fake_round_trip_median_ms": round(statistics.median(round_trips) * 1000, 3),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    args = parser.parse_args()
    memory = templates_in_memory(args.cases)
    with tempfile.TemporaryDirectory() as folder:
        stored = await templates_with_storage(folder, min(args.cases, 500))
    llm = await llm_drafts(200)
    print(
        f"template drafts, in memory: {memory['cases']} for one brand in one day, "
        f"{memory['distinct']} distinct; median {memory['median_ms']} ms, p95 {memory['p95_ms']} ms, "
        f"last tenth of the day median {memory['last_tenth_median_ms']} ms"
    )
    print(
        f"template drafts with storage (SQLite, new_draft): {stored['cases']} cases; "
        f"median {stored['median_ms']} ms, p95 {stored['p95_ms']} ms"
    )
    print(
        f"language-model drafts, round trip excluded: {llm['cases']} cases; median "
        f"{llm['median_ms']} ms, p95 {llm['p95_ms']} ms (fake server round trip median "
        f"{llm['fake_round_trip_median_ms']} ms)"
    )
    print(
        json.dumps({"template": memory, "template_stored": stored, "llm_excluding_round_trip": llm})
    )


if __name__ == "__main__":
    asyncio.run(main())
