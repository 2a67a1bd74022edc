"""Soak: a PostgreSQL deployment under kills. Sources on a local feed server (loopback, several
host names), new negative reviews appearing at random, worker processes (`--role
poll,classify,send`) plus one bot and one jobs process; one worker is killed with SIGKILL every
`--kill-every` seconds and started again. Checks that every new negative is alerted exactly
once, that no source is polled by two workers at once, that no message (alert, reminder,
digest) goes out twice; reports poll lag, alert latency and polls/s.

    python bench/soak.py [--sources 300] [--duration 60] [--workers 3] [--kill-every 20]
                         [--interval 20] [--rate 1.0] [--postgres URL]

The defaults are a short run (about two minutes with start-up); the issue's full soak is
`--sources 2000 --duration 180 --interval 60`. Polls/s with 1 and with 2 poll workers:
`--workers 1 --kill-every 0` and `--workers 2 --kill-every 0` with a short `--interval`, and
`--site-latency 0.5` for sites that answer as slowly as real ones.
Prints a report; the last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from aiohttp import web  # noqa: E402
from sqlalchemy import func, select, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from storage.db import make_engine, make_sessionmaker  # noqa: E402
from storage.models import Chat, DigestRun, OutboxMessage, Source  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402

OWNER = 777000
HOSTS = [f"127.0.0.{n}" for n in range(1, 11)]
NEGATIVE = "Ужасный сервис в Кофемании: официант нахамил, ждали сорок минут, больше не придём"
MARK = re.compile(r"soak-(\d+)")


@dataclass
class Feeds:
    """The local sites: each source's feed, its items, and every request it served."""

    count: int
    latency: float
    items: dict[int, list[tuple[str, str, datetime]]] = field(default_factory=dict)
    added: dict[str, float] = field(default_factory=dict)  # guid → when it appeared
    polls: dict[int, list[tuple[float, float]]] = field(default_factory=lambda: defaultdict(list))
    in_flight: Counter[int] = field(default_factory=Counter)
    overlaps: int = 0

    def __post_init__(self) -> None:
        start = datetime.now(UTC) - timedelta(days=1)
        for n in range(self.count):
            self.items[n] = [(f"old-{n}", "Кофемания открылась после ремонта", start)]

    def url(self, n: int, port: int) -> str:
        return f"http://{HOSTS[n % len(HOSTS)]}:{port}/feed/{n}.xml"

    def add_negative(self, serial: int) -> None:
        n = random.randrange(self.count)
        guid = f"soak-{serial}"
        self.items[n].insert(0, (guid, f"{NEGATIVE} ({guid})", datetime.now(UTC)))
        del self.items[n][20:]
        self.added[guid] = time.monotonic()

    async def handle(self, request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        started = time.monotonic()
        self.in_flight[n] += 1
        if self.in_flight[n] > 1:
            self.overlaps += 1
        try:
            # A real site's think time: overlaps would show, and a worker waits on the network
            # as it would in production rather than only burning CPU.
            await asyncio.sleep(self.latency)
            body = _rss(self.items.get(n, []))
        finally:
            self.in_flight[n] -= 1
        self.polls[n].append((started, time.monotonic()))
        return web.Response(body=body, content_type="application/rss+xml")


def _rss(items: list[tuple[str, str, datetime]]) -> bytes:
    entries = "".join(
        f'<item><guid isPermaLink="false">{guid}</guid><title>{escape(text[:40])}</title>'
        f"<link>https://news.example/{guid}</link><description>{escape(text)}</description>"
        f"<pubDate>{format_datetime(at)}</pubDate></item>"
        for guid, text, at in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Soak</title>'
        f"<link>https://news.example/</link>{entries}</channel></rss>"
    ).encode()


def _config(path: Path, urls: list[str], interval: int) -> Path:
    sources = "".join(
        f'\n[[brands.sources]]\nkind = "rss"\nurl = "{url}"\ninterval = "{interval}s"\n'
        for url in urls
    )
    path.write_text(
        f'[[brands]]\nname = "Кофемания"\naliases = ["Coffeemania"]\nowners = [{OWNER}]\n'
        f'response_time = "2m"\nwork_hours = "00:00-00:00"\ntimezone = "UTC"\n{sources}',
        encoding="utf-8",
    )
    return path


class Fleet:
    """The otklik processes of the deployment."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd
        self.workers: list[asyncio.subprocess.Process] = []
        self.others: list[asyncio.subprocess.Process] = []
        self.kill_times: list[float] = []

    @property
    def kills(self) -> int:
        return len(self.kill_times)

    async def start(self, role: str) -> asyncio.subprocess.Process:
        log = (self.cwd / f"{role.replace(',', '-')}.log").open("ab")  # noqa: ASYNC230
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "otklik", "run", "--role", role,
            env=self.env, cwd=self.cwd, stdout=log, stderr=log,
        )  # fmt: skip

    async def kill_one(self, role: str) -> None:
        victim = random.randrange(len(self.workers))
        self.workers[victim].send_signal(signal.SIGKILL)
        self.kill_times.append(time.monotonic())
        await self.workers[victim].wait()
        self.workers[victim] = await self.start(role)

    async def stop(self) -> None:
        for process in self.workers + self.others:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in self.workers + self.others:
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()


def _alerts(telegram: FakeTelegram) -> list[Any]:
    """Alerts only: a digest quotes reviews too."""
    return [
        call
        for call in telegram.calls_of("sendMessage", chat_id=OWNER)
        if (call.text or "").startswith("🔴")
    ]


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def main() -> None:  # noqa: PLR0915 (one scenario, read top to bottom)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--duration", type=float, default=60, help="seconds of new reviews")
    parser.add_argument("--workers", type=int, default=3, help="poll,classify,send processes")
    parser.add_argument("--kill-every", type=float, default=20, help="0: no kills")
    parser.add_argument("--interval", type=int, default=20, help="each source's poll interval")
    parser.add_argument("--rate", type=float, default=1.0, help="new negatives a second")
    parser.add_argument(
        "--site-latency", type=float, default=0.02, help="seconds each feed takes to answer"
    )
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1/postgres")
    args = parser.parse_args()
    # SIGTERM cancels the run, so the worker processes are stopped on the way out too.
    main_task = asyncio.current_task()
    assert main_task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)

    admin = make_engine(args.postgres)
    name = f"otklik_soak_{uuid.uuid4().hex[:8]}"
    async with admin.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
    feeds = Feeds(args.sources, args.site_latency)
    app = web.Application()
    app.router.add_get("/feed/{n}.xml", feeds.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = 0
    for host in HOSTS:  # one site per loopback address, all on the same port
        site = web.TCPSite(runner, host, port)
        await site.start()
        port = port or site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    telegram = await FakeTelegram().start()
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    folder = Path(tempfile.mkdtemp(prefix="otklik-soak-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OTKLIK_")},
        "PYTHONPATH": str(REPO),
        "OTKLIK_DATABASE_URL": url,
        "OTKLIK_CONFIG": str(
            _config(
                folder / "otklik.toml",
                [feeds.url(n, port) for n in range(args.sources)],
                args.interval,
            )  # fmt: skip
        ),
        "OTKLIK_BOT_TOKEN": telegram.token,
        "OTKLIK_TELEGRAM_API_URL": telegram.api_url,
        "OTKLIK_SENTIMENT_MODEL": "keywords",
        "OTKLIK_JOB_LEASE": "6",
        "OTKLIK_MAX_CONCURRENT_POLLS": "16",
        "OTKLIK_HTTP_PER_HOST_RATE": "1000",
        "OTKLIK_HTTP_PER_HOST_CONCURRENCY": "16",
        "OTKLIK_HTTP_RETRIES": "0",
        "OTKLIK_LOG_LEVEL": "WARNING",
        # The feeds are served on loopback hosts 127.0.0.x, which the fetch layer refuses unless
        # allowed.
        "OTKLIK_ALLOW_PRIVATE_ADDRESSES": "127.0.0.0/8",
    }
    fleet = Fleet(env, folder)

    async def digests_sent() -> int:
        async with sessions() as session:
            return int(
                await session.scalar(
                    select(func.count()).where(
                        OutboxMessage.kind == "digest", OutboxMessage.status == "sent"
                    )
                )
                or 0
            )

    role = "poll,classify,send"
    figures: dict[str, Any] = {"sources": args.sources, "workers": args.workers}
    started = time.monotonic()
    try:
        fleet.workers = [await fleet.start(role) for _ in range(args.workers)]
        fleet.others = [await fleet.start("bot"), await fleet.start("jobs")]

        async def backfilled() -> int:
            try:
                async with sessions() as session:
                    return int(
                        await session.scalar(
                            select(func.count()).where(Source.backfilled.is_(True))
                        )
                        or 0
                    )
            except Exception:  # the processes are still creating the tables
                return 0

        while await backfilled() < args.sources:
            if time.monotonic() - started > 600:
                raise SystemExit("the sources were not all backfilled within 10 minutes")
            await asyncio.sleep(1)
        figures["startup_s"] = round(time.monotonic() - started)
        print(f"{args.sources} sources backfilled {figures['startup_s']} s after start")
        # The weekly digest falls due during the run (or, in a short run, soon after; the end
        # waits for it): it must go out once, workers killed or not.
        soon = datetime.now(UTC) + timedelta(seconds=min(40, args.duration / 2))
        slot = soon.replace(second=0, microsecond=0) + timedelta(minutes=1)
        async with sessions.begin() as session:
            await session.execute(
                update(Chat).values(
                    timezone="UTC", digest_weekday=slot.weekday(), digest_time=f"{slot:%H:%M}"
                )
            )

        window_start = time.monotonic()
        polls_before = sum(len(p) for p in feeds.polls.values())
        serial = 0
        next_kill = window_start + args.kill_every if args.kill_every else float("inf")
        while time.monotonic() - window_start < args.duration:
            await asyncio.sleep(random.expovariate(args.rate))
            feeds.add_negative(serial)
            serial += 1
            if time.monotonic() >= next_kill:
                await fleet.kill_one(role)
                next_kill += args.kill_every
        window = time.monotonic() - window_start
        figures["polls_per_s"] = round(
            (sum(len(p) for p in feeds.polls.values()) - polls_before) / window, 1
        )

        def delivered() -> Counter[str]:
            seen: Counter[str] = Counter()
            for call in _alerts(telegram):
                found = MARK.search(call.text or "")
                if found:
                    seen[found.group(0)] += 1
            return seen

        # Behind schedule is not lost: wait until every feed was read after the last review
        # appeared (then 30 s for the sends), at most ten minutes.
        window_end = time.monotonic()
        settle = window_end + 600
        caught_up: float | None = None
        while set(delivered()) < set(feeds.added) and time.monotonic() < settle:
            if caught_up is None and all(
                polls and polls[-1][0] > window_end for polls in feeds.polls.values()
            ):
                caught_up = time.monotonic()
            if caught_up is not None and time.monotonic() > caught_up + 30:
                break
            await asyncio.sleep(1)
        while time.monotonic() < settle:
            if await digests_sent():
                break
            await asyncio.sleep(1)
        await asyncio.sleep(3)  # a duplicate would need another send cycle
        counts = delivered()
    finally:
        await fleet.stop()

    sent_at = {}
    for call in _alerts(telegram):
        found = MARK.search(call.text or "")
        if found:
            sent_at.setdefault(found.group(0), call.at)
    latencies = [sent_at[g] - added for g, added in feeds.added.items() if g in sent_at]
    # The one repeat the Bot API allows no sender to prevent: Telegram took the alert and the
    # worker was killed before it recorded that (it records within milliseconds of the answer).
    repeated = [g for g in feeds.added if counts.get(g, 0) > 1]
    explained = sum(
        1 for g in repeated if any(0 <= k - sent_at[g] <= 1.0 for k in fleet.kill_times)
    )
    lags = []
    for polls in feeds.polls.values():
        starts = [start for start, _ in polls if start >= window_start]
        lags += [max(0.0, b - a - args.interval) for a, b in zip(starts, starts[1:], strict=False)]
    repolls = sum(
        1
        for polls in feeds.polls.values()
        for a, b in zip(polls, polls[1:], strict=False)
        if a[0] >= window_start and b[0] - a[0] < args.interval * 0.5
    )
    texts = Counter(
        (call.chat_id, call.text)
        for call in telegram.calls
        if call.method in ("sendMessage", "sendPhoto") and call.ok
    )
    digests = await digests_sent()
    async with sessions() as session:
        digest_runs = int(await session.scalar(select(func.count()).select_from(DigestRun)) or 0)
        reminders = int(
            await session.scalar(
                select(func.count()).where(
                    OutboxMessage.kind == "reminder", OutboxMessage.status == "sent"
                )
            )
            or 0
        )
    await engine.dispose()
    await telegram.close()
    await runner.cleanup()
    async with admin.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()

    figures.update(
        negatives=len(feeds.added),
        alerted_once=sum(1 for g in feeds.added if counts.get(g) == 1),
        missing=sum(1 for g in feeds.added if g not in counts),
        duplicated=len(repeated),
        duplicated_by_a_kill_in_the_round_trip=explained,
        concurrent_polls_of_one_source=feeds.overlaps,
        repolls_within_half_interval=repolls,
        messages_sent_twice=sum(1 for n in texts.values() if n > 1),
        digests_sent=digests,
        digest_runs=digest_runs,
        reminders_sent=reminders,
        kills=fleet.kills,
        lag_p50_s=round(_pct(lags, 0.5), 1),
        lag_p95_s=round(_pct(lags, 0.95), 1),
        latency_p50_s=round(_pct(latencies, 0.5), 1),
        latency_p95_s=round(_pct(latencies, 0.95), 1),
        latency_mean_s=round(statistics.fmean(latencies), 1) if latencies else 0.0,
        total_s=round(time.monotonic() - started),
    )
    print(
        f"{figures['negatives']} new negatives, {figures['alerted_once']} alerted exactly once, "
        f"{figures['missing']} missing, {figures['duplicated']} twice ({explained} of them a kill "
        f"within a second of Telegram taking it); {fleet.kills} SIGKILLs"
    )
    print(
        f"polls: {figures['polls_per_s']}/s with {args.workers} workers; lag p50 "
        f"{figures['lag_p50_s']} s, p95 {figures['lag_p95_s']} s; same source polled by two "
        f"workers at once: {feeds.overlaps}; re-polled within half an interval: {repolls}"
    )
    print(
        f"alert latency p50 {figures['latency_p50_s']} s, p95 {figures['latency_p95_s']} s "
        f"(interval {args.interval} s); digests sent {digests} (runs {digest_runs}), "
        f"reminders {reminders}, any message twice: {figures['messages_sent_twice']}"
    )
    for (chat_id, sent), times in texts.items():
        if times > 1:
            first_line = (sent or "").splitlines()[0][:100] if sent else ""
            print(f"sent {times} times to chat {chat_id}: {first_line}")
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
