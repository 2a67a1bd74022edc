"""PostgreSQL as it fills: ingest and the known-mentions lookup at a small table and at
`--fill` mentions (default 1,000,000), /stats for a brand with a sixth of them as cases, and how
long the event loop is held while /stats and a digest's figures are computed.

    python bench/postgres_scale.py [--fill 1000000] [--polls 10] [--batch 500]
                                   [--postgres postgresql+asyncpg://postgres@127.0.0.1/postgres]

A throwaway database is created on the server and dropped at the end. The table is filled in
SQL (generate_series), so the fill takes a minute or two, not an hour of polls. Prints a
report; the last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker  # noqa: E402

from bench.ingest import SyntheticSource  # noqa: E402
from otklik.pipeline import Pipeline, PipelineOptions  # noqa: E402
from reports.build import build_figures  # noqa: E402
from reports.periods import Period  # noqa: E402
from sentiment import load_classifier  # noqa: E402
from storage.db import make_engine, make_sessionmaker, upgrade  # noqa: E402
from storage.records import BrandInput, SourceInput, SourceRecord  # noqa: E402
from storage.repositories import cases as cases_repo  # noqa: E402
from storage.repositories import mentions as mentions_repo  # noqa: E402
from storage.repositories import stats as stats_repo  # noqa: E402
from storage.repositories.brands import sync_brands  # noqa: E402
from storage.repositories.sources import list_sources  # noqa: E402

SOURCES = 20


async def lookup_ms(sessions: async_sessionmaker[AsyncSession], source_id: int) -> float:
    """Median time to check a 500-item poll against the source's known mentions, measured
    after enough runs for PostgreSQL to have switched a prepared statement to a generic plan."""
    keys = [f"review-{n}" for n in range(0, 1000, 2)]
    times = []
    async with sessions() as session:
        for _ in range(12):
            started = time.perf_counter()
            await mentions_repo.stored_mentions(session, source_id, keys)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[6:])


async def ingest_rate(pipeline: Pipeline, sessions: Any, polls: int) -> float:
    stored = 0
    started = time.perf_counter()
    for _ in range(polls):
        report = await pipeline.poll(await _source(sessions))
        if report.error:
            raise SystemExit(f"poll failed: {report.error}")
        stored += len(report.new_mentions)
    return stored / (time.perf_counter() - started)


async def _source(sessions: async_sessionmaker[AsyncSession]) -> SourceRecord:
    async with sessions() as session:
        return (await list_sources(session))[0]


async def fill(sessions: async_sessionmaker[AsyncSession], brand_id: int, total: int) -> float:
    """Top the mentions table up to `total` rows spread over the brand's sources and ten years;
    every sixth one a case, as a busy brand's negatives would be."""
    started = time.perf_counter()
    async with sessions() as session:
        have = await session.scalar(text("SELECT count(*) FROM mentions"))
        source_ids = list(
            await session.scalars(text("SELECT id FROM sources ORDER BY id"), {"b": brand_id})
        )
    step = 100_000
    for first in range(int(have or 0), total, step):
        last = min(first + step, total) - 1
        async with sessions.begin() as session:
            before = await session.scalar(text("SELECT coalesce(max(id), 0) FROM mentions"))
            await session.execute(
                text(
                    """
                    INSERT INTO mentions (source_id, brand_id, dedup_key, content_hash, text,
                        published_at, first_seen_at, extra, backfill, sentiment_label,
                        needs_review, touchpoints, classified_at)
                    SELECT (CAST(:sources AS int[]))[1 + g % cardinality(CAST(:sources AS int[]))], :brand, 'fill-' || g,
                        md5(g::text), 'Заполнение ' || g,
                        now() - (g % 3650) * interval '1 day', now(), '{}', false,
                        (ARRAY['negative', 'neutral', 'positive'])[1 + g % 3], false, '[]',
                        now()
                    FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) g
                    """
                ),
                {"sources": source_ids, "brand": brand_id, "first": first, "last": last},
            )
            await session.execute(
                text(
                    """
                    INSERT INTO cases (mention_id, brand_id, status, due_at, first_response_at,
                        created_at, updated_at)
                    SELECT id, brand_id,
                        (ARRAY['new', 'resolved', 'replied', 'ignored'])[1 + id % 4],
                        published_at + interval '1 hour',
                        CASE WHEN id % 4 IN (1, 2)
                             THEN published_at + (id % 180) * interval '1 minute' END,
                        published_at, published_at
                    FROM mentions WHERE id > :before AND id % 6 = 0
                    """
                ),
                {"before": before},
            )
    # As autovacuum would after a bulk load: statistics, and the visibility map that lets
    # lookups read the index alone.
    async with engine_of(sessions).connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE mentions"))
        await connection.execute(text("VACUUM ANALYZE cases"))
    return time.perf_counter() - started


def engine_of(sessions: async_sessionmaker[AsyncSession]) -> AsyncEngine:
    bind = sessions.kw["bind"]
    assert isinstance(bind, AsyncEngine)
    return bind


async def loop_stall_ms(work: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """(work's duration, the longest the event loop was held while it ran), in ms: a ticker
    asks to wake every 5 ms; any longer gap is time another chat's alert would have waited."""
    done = asyncio.Event()
    worst = 0.0

    async def ticker() -> None:
        nonlocal worst
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            worst = max(worst, now - last - 0.005)
            last = now

    tick = asyncio.create_task(ticker())
    started = time.perf_counter()
    await work()
    took = time.perf_counter() - started
    done.set()
    await tick
    return took * 1000, worst * 1000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fill", type=int, default=1_000_000)
    parser.add_argument("--polls", type=int, default=10)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1/postgres")
    args = parser.parse_args()

    admin_engine = make_engine(args.postgres)
    name = f"otklik_bench_{uuid.uuid4().hex[:8]}"
    async with admin_engine.connect() as admin:
        await admin.execution_options(isolation_level="AUTOCOMMIT")
        await admin.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    figures: dict[str, Any] = {}
    try:
        await upgrade(engine)
        sessions = make_sessionmaker(engine)
        brand = BrandInput(
            name="Bench",
            aliases=("Bench",),
            owners=(1,),
            alert_on="negative",
            timezone="UTC",
            response_minutes=60,
            work_start="00:00",
            work_end="00:00",
            work_days="1234567",
            touchpoints={},
            sources=tuple(
                SourceInput(kind="rss", url=f"https://bench.example/{n}", interval_seconds=60)
                for n in range(SOURCES)
            ),
        )
        async with sessions.begin() as session:
            await sync_brands(session, [brand], datetime.now(UTC))
        source = await _source(sessions)
        synthetic = SyntheticSource(args.batch)
        pipeline = Pipeline(
            sessions,
            lambda spec: synthetic,
            load_classifier("keywords"),
            PipelineOptions(classify_batch=args.batch),
        )
        await pipeline.poll(source)  # the backfill poll, stored without alerts
        await fill(sessions, source.brand_id, 10_000)
        figures["lookup_ms_10k"] = round(await lookup_ms(sessions, source.id), 1)
        figures["ingest_per_s_10k"] = round(await ingest_rate(pipeline, sessions, args.polls))
        print(
            f"at 10k mentions: lookup of a 500-item poll {figures['lookup_ms_10k']} ms, "
            f"ingest {figures['ingest_per_s_10k']:,}/s"
        )
        fill_s = await fill(sessions, source.brand_id, args.fill)
        figures["fill_s"] = round(fill_s)
        print(f"filled to {args.fill:,} mentions in {fill_s:.0f} s")
        figures[f"lookup_ms_{args.fill}"] = round(await lookup_ms(sessions, source.id), 1)
        figures[f"ingest_per_s_{args.fill}"] = round(
            await ingest_rate(pipeline, sessions, args.polls)
        )
        ratio = figures[f"ingest_per_s_{args.fill}"] / figures["ingest_per_s_10k"]
        figures["ingest_ratio"] = round(ratio, 2)
        print(
            f"at {args.fill:,} mentions: lookup {figures[f'lookup_ms_{args.fill}']} ms, "
            f"ingest {figures[f'ingest_per_s_{args.fill}']:,}/s ({ratio:.0%} of the small table)"
        )

        now = datetime.now(UTC)

        async def stats_ten_years() -> object:
            async with sessions() as session:
                return await cases_repo.response_counts(
                    session, [source.brand_id], now - timedelta(days=3650), now
                )

        async with sessions() as session:
            cases = await session.scalar(text("SELECT count(*) FROM cases"))
        took, stall = await loop_stall_ms(stats_ten_years)
        figures.update(cases=cases, stats_ms=round(took), stats_loop_stall_ms=round(stall, 1))
        print(f"/stats over ten years, {cases:,} cases: {took:.0f} ms, loop held {stall:.1f} ms")

        # A chain: each of the brand's sources is one branch's page, and /stats adds a line per
        # branch.
        async with sessions.begin() as session:
            await session.execute(
                text(
                    "INSERT INTO branches (brand_id, name, created_at) "
                    "SELECT :brand, 'Филиал ' || s.id, now() FROM sources s WHERE s.brand_id = :brand"
                ),
                {"brand": source.brand_id},
            )
            await session.execute(
                text(
                    "UPDATE sources s SET branch_id = b.id FROM branches b "
                    "WHERE b.name = 'Филиал ' || s.id AND s.brand_id = :brand"
                ),
                {"brand": source.brand_id},
            )

        async def stats_by_branch() -> object:
            async with sessions() as session:
                return await cases_repo.branch_response_counts(
                    session, source.brand_id, now - timedelta(days=3650), now
                )

        took, stall = await loop_stall_ms(stats_by_branch)
        figures.update(
            branches=SOURCES,
            stats_branches_ms=round(took),
            stats_branches_loop_stall_ms=round(stall, 1),
        )
        print(
            f"/stats per branch ({SOURCES} branches) over ten years: {took:.0f} ms, "
            f"loop held {stall:.1f} ms"
        )

        async with sessions() as session:
            info = (await stats_repo.all_brands(session))[0]
        period = Period(now.date() - timedelta(days=30), 30, "UTC", "month")

        async def digest_month() -> object:
            async with sessions() as session:
                return await build_figures(session, info, period, now)

        took, stall = await loop_stall_ms(digest_month)
        figures.update(digest_ms=round(took), digest_loop_stall_ms=round(stall, 1))
        print(f"a 30-day digest's figures: {took:.0f} ms, loop held {stall:.1f} ms")
    finally:
        await engine.dispose()
        async with admin_engine.connect() as admin:
            await admin.execution_options(isolation_level="AUTOCOMMIT")
            await admin.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin_engine.dispose()
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
