"""A slow or dead host never takes more than its share of the poll slots: a healthy feed on
another host is polled while eight sources hang, whether they hang on one host or on eight."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from otklik.app import open_runtime
from otklik.pipeline import PollReport
from otklik.scheduler import Scheduler
from otklik.settings import Settings
from tests.core.test_loop import OLD, feed
from tests.fakes.site_server import SiteServer
from tests.fakes.tarpit import Tarpit


@pytest.fixture
async def site() -> AsyncIterator[SiteServer]:
    server = SiteServer()
    await server.start()
    yield server
    await server.close()


@pytest.mark.parametrize("hosts", [1, 8])
async def test_healthy_feed_is_polled_while_eight_sources_hang(
    tmp_path: Path, site: SiteServer, hosts: int
) -> None:
    site.add("/feed.xml", feed([OLD]), content_type="application/rss+xml")
    pits = [Tarpit(f"127.0.0.{2 + n}") for n in range(hosts)]
    for pit in pits:
        await pit.start()
    hanging = [
        f"http://{pits[n % hosts].host}:{pits[n % hosts].port}/feed{n}.xml" for n in range(8)
    ]
    healthy = site.url("/feed.xml")
    config = tmp_path / "otklik.toml"
    config.write_text(
        '[[brands]]\nname = "Кофемания"\nowners = [1]\n'
        + "".join(
            f'[[brands.sources]]\nkind = "rss"\nurl = "{url}"\ninterval = "1m"\n'
            for url in [*hanging, healthy]  # the healthy feed comes last in poll order
        ),
        encoding="utf-8",
    )
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'otklik.db'}",
        config=config,
        max_concurrent_polls=8,
        http_timeout=60,  # far beyond the test: the hanging polls stay in flight throughout
        http_retries=0,
        http_per_host_rate=1000,
        _env_file=None,  # type: ignore[call-arg]
    )
    reports: list[PollReport] = []
    polled = asyncio.Event()

    def on_report(report: PollReport) -> None:
        reports.append(report)
        if report.source.url == healthy:
            polled.set()

    try:
        async with open_runtime(settings) as runtime:
            stop = asyncio.Event()
            scheduler = Scheduler(
                runtime.sessionmaker,
                runtime.pipeline,
                max_concurrency=8,
                on_report=on_report,
                tick=0.1,
            )
            running = asyncio.create_task(scheduler.run(stop))
            try:
                await asyncio.wait_for(polled.wait(), 30)
            finally:
                stop.set()
                await running
    finally:
        for pit in pits:
            await pit.close()
    [report] = [r for r in reports if r.source.url == healthy]
    assert report.error is None and len(report.new_mentions) == 1
    # Every hanging source was still hanging when the healthy one was done.
    assert [r.source.url for r in reports] == [healthy]
    assert sum(pit.connections for pit in pits) >= min(8, 2 * hosts)
