"""Politeness across workers: on PostgreSQL two fetchers (two workers' worth) share one
per-host request rate, booked in the database, instead of each having its own."""

from __future__ import annotations

import asyncio
import time

from otklik.app import DatabasePacer
from scrapers.fetch import Fetcher, FetchSettings, make_client_session
from storage.db import make_engine, make_sessionmaker, upgrade
from tests.fakes.site_server import SiteServer

RATE = 5.0  # request starts per second for the host, for the whole deployment


async def test_two_workers_share_one_rate_per_host(postgres_url: str) -> None:
    site = SiteServer()
    await site.start()
    site.add("/page", "ok")
    engines = [make_engine(postgres_url), make_engine(postgres_url)]
    await upgrade(engines[0])
    settings = FetchSettings(per_host_rate=RATE, per_host_concurrency=8, retries=0)
    try:
        async with make_client_session(settings) as a, make_client_session(settings) as b:
            workers = [
                Fetcher(http, settings, pacer=DatabasePacer(make_sessionmaker(engine)))
                for http, engine in zip((a, b), engines, strict=True)
            ]
            started = time.monotonic()
            await asyncio.gather(
                *(worker.get(site.url("/page")) for worker in workers for _ in range(5))
            )
            elapsed = time.monotonic() - started
    finally:
        for engine in engines:
            await engine.dispose()
        await site.close()
    assert len(site.requests) == 10
    # Ten starts one fifth of a second apart, whoever made them: at least 1.8 s. Each worker
    # pacing alone would have taken 0.8 s.
    assert elapsed >= 9 / RATE - 0.05
