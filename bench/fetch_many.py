"""Fetch layer at scale: poll 1,000 local sources concurrently and report time and peak RSS.

Run: .venv/bin/python bench/fetch_many.py [--sources 1000] [--rounds 3]
A child process serves App Store review feeds on 127.0.0.1 (one app id per source); this
process polls them all at once through one ClientSession and the real Fetcher/Source path,
`--rounds` times. Peak RSS is this (client) process's. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import resource
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scrapers import registry  # noqa: E402
from scrapers.fetch import Fetcher, FetchSettings, make_client_session  # noqa: E402
from scrapers.records import PollState, SourceSpec  # noqa: E402

PAGE = ROOT / "tests" / "pages" / "appstore" / "reviews_page1.json"


def _serve(port: int, body: bytes) -> None:
    from aiohttp import web

    async def feed(_request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/{cc}/rss/customerreviews/page={n}/id={app}/sortby=mostrecent/json", feed)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _wait_up(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise RuntimeError("bench server did not start")


async def run(sources: int, rounds: int, port: int) -> dict[str, float]:
    await _wait_up(port)
    settings = FetchSettings(
        per_host_rate=0,
        per_host_concurrency=100,
        total_connections=100,
        allow_private=("127.0.0.0/8",),  # the sites here are on loopback
    )
    baseline = _rss_mb()
    times: list[float] = []
    items = errors = 0
    async with make_client_session(settings) as session:
        fetcher = Fetcher(session, settings)
        polled = [
            registry.create(
                SourceSpec(
                    "appstore",
                    f"http://127.0.0.1:{port}/ru/app/app{i}/id{1000000 + i}",
                    options={"max_pages": "1"},
                ),
                fetcher,
            )
            for i in range(sources)
        ]
        for _ in range(rounds):
            started = time.perf_counter()
            results = await asyncio.gather(
                *(source.poll(PollState()) for source in polled), return_exceptions=True
            )
            times.append(time.perf_counter() - started)
            for result in results:
                if isinstance(result, BaseException):
                    errors += 1
                else:
                    items += len(result.items)
    best = min(times)
    return {
        "sources": sources,
        "rounds": rounds,
        "best_round_s": round(best, 3),
        "polls_per_s": round(sources / best, 1),
        "items": items,
        "errors": errors,
        "rss_baseline_mb": round(baseline, 1),
        "peak_rss_mb": round(_rss_mb(), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    port = _free_port()
    server = multiprocessing.Process(target=_serve, args=(port, PAGE.read_bytes()), daemon=True)
    server.start()
    try:
        figures = asyncio.run(run(args.sources, args.rounds, port))
    finally:
        server.terminate()
        server.join(5)
    print(f"sources polled concurrently : {figures['sources']} x {figures['rounds']} rounds")
    print(f"best round                  : {figures['best_round_s']} s")
    print(f"polls per second            : {figures['polls_per_s']}")
    print(f"items parsed (all rounds)   : {figures['items']}, errors: {figures['errors']}")
    print(
        f"RSS before polling / peak   : {figures['rss_baseline_mb']} MB / {figures['peak_rss_mb']} MB"
    )
    print(json.dumps({"bench": "fetch_many", **figures}))


if __name__ == "__main__":
    main()
