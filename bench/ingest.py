"""Ingest throughput: 10,000 synthetic mentions through the real pipeline (dedup, classify with
the built-in keyword classifier, store, open cases, queue alerts) on SQLite.

    python bench/ingest.py [--mentions 10000] [--batch 500] [--database-url URL]

Prints a readable report; the last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from otklik.pipeline import Pipeline, PipelineOptions  # noqa: E402
from scrapers.records import PollResult, PollState, ScrapedItem  # noqa: E402
from sentiment import load_classifier  # noqa: E402
from storage.db import make_engine, make_sessionmaker, upgrade  # noqa: E402
from storage.records import BrandInput, SourceInput  # noqa: E402
from storage.repositories.brands import sync_brands  # noqa: E402
from storage.repositories.sources import list_sources  # noqa: E402

PHRASES = [
    "Официант нахамил, ждали заказ сорок минут, больше не придём",
    "Очень вкусный капучино и приветливый персонал, спасибо!",
    "Курьер опоздал на час, еда холодная, поддержка не отвечает",
    "Обычное кафе, цены средние, интерьер как везде",
    "Great coffee, friendly staff, will come back",
    "Terrible service, rude waiter and dirty tables",
]


class SyntheticSource:
    """Hands out `batch` fresh reviews per poll, as a busy review page would."""

    def __init__(self, batch: int, seed: int = 7) -> None:
        self._batch = batch
        self._next = 0
        self._random = random.Random(seed)
        # Recent, so none of it counts as history older than the first poll's window.
        self._start = datetime.now(UTC) - timedelta(days=1)

    async def poll(
        self,
        state: PollState,
        *,
        backfill_limit: int = 200,
        backfill_since: datetime | None = None,
        full_pages: int | None = None,
    ) -> PollResult:
        items = []
        for _ in range(self._batch):
            n = self._next
            self._next += 1
            items.append(
                ScrapedItem(
                    external_id=f"review-{n}",
                    url=f"https://maps.example/org/1/reviews/{n}",
                    text=f"{self._random.choice(PHRASES)} (#{n})",
                    author=f"Гость {n % 997}",
                    rating=float(self._random.randint(1, 5)),
                    published_at=self._start + timedelta(minutes=n),
                )
            )
        return PollResult(items=items, state=PollState(cursor=str(self._next), backfilled=True))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        await upgrade(engine)
        sessions = make_sessionmaker(engine)
        now = datetime.now(UTC)
        brand = BrandInput(
            name="Bench",
            aliases=("Bench",),
            owners=(1, 2),
            alert_on="negative",
            timezone="UTC",
            response_minutes=60,
            work_start="00:00",
            work_end="00:00",
            work_days="1234567",
            touchpoints={},
            sources=(
                SourceInput(kind="rss", url="https://bench.example/feed", interval_seconds=60),
            ),
        )
        async with sessions.begin() as session:
            await sync_brands(session, [brand], now)
        async with sessions() as session:
            source = (await list_sources(session))[0]

        synthetic = SyntheticSource(args.batch)
        classifier = load_classifier("keywords")
        pipeline = Pipeline(
            sessions, lambda spec: synthetic, classifier, PipelineOptions(classify_batch=args.batch)
        )
        # The first poll is the backfill (stored, never alerted): keep it out of the timing.
        await pipeline.poll(source)

        stored = cases = alerts = 0
        started = time.perf_counter()
        while stored < args.mentions:
            async with sessions() as session:
                source = (await list_sources(session))[0]
            report = await pipeline.poll(source)
            if report.error:
                raise SystemExit(f"poll failed: {report.error}")
            stored += len(report.new_mentions)
            cases += report.cases_opened
            alerts += report.alerts_queued
        elapsed = time.perf_counter() - started
        await engine.dispose()

    rate = stored / elapsed
    print(f"ingested {stored} mentions in {elapsed:.2f} s on {url.split(':')[0]}")
    print(f"  {rate:,.0f} mentions/s; {cases} cases opened, {alerts} alerts queued")
    print(f"  peak RSS {peak_rss_mb():.0f} MB")
    print(
        json.dumps(
            {
                "mentions": stored,
                "mentions_per_s": round(rate),
                "cases": cases,
                "alerts": alerts,
                "peak_rss_mb": round(peak_rss_mb()),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
