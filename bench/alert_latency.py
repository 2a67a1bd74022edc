"""Alert latency: from a new negative review appearing on a local source to the bot's
sendMessage call, through the real service (`otklik run`: scheduler, pipeline, outbox sender,
aiogram bot) against a local feed and a local fake Telegram Bot API server.

    python bench/alert_latency.py [--reviews 100] [--interval 2] [--every 0.3]
                                  [--hanging 8] [--hang-hosts 1]

`--hanging N` adds N sources that never answer (on `--hang-hosts` loopback addresses): the
healthy feed's alerts must arrive as fast as without them.

Prints a readable report; the last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from otklik.service import serve  # noqa: E402
from otklik.settings import Settings  # noqa: E402
from tests.fakes.site_server import SiteServer  # noqa: E402
from tests.fakes.tarpit import Tarpit  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402

OWNER = 777
MARK = re.compile(r"отзыв №(\d+)")


class LiveFeed:
    """An RSS feed whose items the benchmark adds while the service polls it."""

    def __init__(self) -> None:
        self.items: list[tuple[int, str, datetime]] = []

    def add(self, number: int, text: str) -> None:
        self.items.insert(0, (number, text, datetime.now(UTC)))

    async def handler(self, _request: web.Request) -> web.Response:
        entries = "".join(
            f'<item><guid isPermaLink="false">review-{n}</guid><title>Отзыв</title>'
            f"<link>https://reviews.example/{n}</link><description>{text}</description>"
            f"<pubDate>{format_datetime(at)}</pubDate></item>"
            for n, text, at in self.items
        )
        body = f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>{entries}</channel></rss>'
        return web.Response(text=body, content_type="application/rss+xml")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=100)
    parser.add_argument("--interval", type=float, default=2.0, help="poll interval, seconds")
    parser.add_argument("--every", type=float, default=0.3, help="seconds between new reviews")
    parser.add_argument("--hanging", type=int, default=0, help="sources that never answer")
    parser.add_argument("--hang-hosts", type=int, default=1, help="hosts they are spread over")
    args = parser.parse_args()

    site, telegram, feed = SiteServer(), FakeTelegram(), LiveFeed()
    await site.start()
    await telegram.start()
    site.add_handler("/feed.xml", feed.handler)
    feed.add(0, "Кофемания: старый отзыв, история")
    pits = [Tarpit(f"127.0.0.{2 + n}") for n in range(args.hang_hosts if args.hanging else 0)]
    for pit in pits:
        await pit.start()
    urls = [
        f"http://{pits[n % len(pits)].host}:{pits[n % len(pits)].port}/hang{n}.xml"
        for n in range(args.hanging)
    ]
    urls.append(site.url("/feed.xml"))  # last: behind the hanging ones in every poll round
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "otklik.toml"
        config.write_text(
            f'[[brands]]\nname = "Кофемания"\nowners = [{OWNER}]\n'
            + "".join(
                f'[[brands.sources]]\nkind = "rss"\nurl = "{url}"\ninterval = "{args.interval}s"\n'
                for url in urls
            ),
            encoding="utf-8",
        )
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{Path(folder) / 'otklik.db'}",
            config=config,
            bot_token=telegram.token,  # type: ignore[arg-type]
            telegram_api_url=telegram.api_url,
            poll_jitter=0.0,
            http_per_host_rate=1000,
            allow_private_addresses="127.0.0.0/8",  # every site here is on loopback
            log_level="ERROR",
            _env_file=None,  # type: ignore[call-arg]
        )
        stop = asyncio.Event()
        service = asyncio.create_task(serve(settings, stop=stop))
        while not site.hits("/feed.xml"):  # noqa: ASYNC110 — the first poll is the backfill
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)

        added: dict[int, float] = {}
        for number in range(1, args.reviews + 1):
            feed.add(
                number,
                f"Кофемания, отзыв №{number}: ужасный сервис, официант нахамил, больше не придём",
            )
            added[number] = time.monotonic()
            await asyncio.sleep(args.every)
        deadline = time.monotonic() + args.interval * 3 + 30
        arrived: dict[int, float] = {}
        while len(arrived) < len(added) and time.monotonic() < deadline:
            for call in telegram.calls_of("sendMessage"):
                match = MARK.search(call.text or "")
                if call.ok and match:
                    arrived.setdefault(int(match.group(1)), call.at)
            await asyncio.sleep(0.05)
        stop.set()
        await service
    await telegram.close()
    await site.close()
    for pit in pits:
        await pit.close()

    latencies = sorted(arrived[n] - added[n] for n in arrived)
    if not latencies:
        raise SystemExit("no alert arrived")
    p95 = latencies[min(len(latencies) - 1, int(round(0.95 * len(latencies))) - 1)]
    median = statistics.median(latencies)
    print(f"{len(latencies)}/{len(added)} alerts arrived; poll interval {args.interval:g} s")
    if args.hanging:
        print(f"  while {args.hanging} sources on {len(pits)} host(s) never answered")
    print(f"  latency median {median:.2f} s, p95 {p95:.2f} s, max {latencies[-1]:.2f} s")
    print(f"  target: under 2 s plus the poll interval = {2 + args.interval:.1f} s")
    print(
        json.dumps(
            {
                "alerts": len(latencies),
                "reviews": len(added),
                "poll_interval_s": args.interval,
                "hanging_sources": args.hanging,
                "hanging_hosts": len(pits),
                "latency_median_s": round(median, 3),
                "latency_p95_s": round(p95, 3),
                "latency_max_s": round(latencies[-1], 3),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
