"""`otklik status`: is the deployment keeping up? Workers alive, jobs waiting per kind, the
poll and the alert waiting longest, and each site's politeness budget against what its
sources ask for, with the interval they really get and what would fix it."""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime

from bot.capacity import capacity_note
from bot.render import plain
from common.clock import utcnow
from otklik.app import open_database
from otklik.logs import setup_logging
from otklik.settings import Settings, load_settings
from otklik.workqueue import queue_status
from scrapers.capacity import deployment_loads
from scrapers.records import SourceSpec
from storage.repositories import outbox as outbox_repo
from storage.repositories import sources as sources_repo


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("status", help="workers, queues, lag and per-site capacity")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings()
    setup_logging("WARNING")
    return asyncio.run(show(settings))


async def show(settings: Settings) -> int:
    now = utcnow()
    async with open_database(settings) as database, database.sessionmaker() as session:
        queue = await queue_status(session, settings.job_lease)
        due = await sources_repo.oldest_due_poll(session, now)
        unsent = await outbox_repo.oldest_pending(session)
        schedule = await sources_repo.poll_schedule(session)
        loads = deployment_loads(
            ((SourceSpec(p.kind, p.url, options=p.options), p.interval_seconds) for p in schedule),
            settings.politeness,
        )
    if queue is None:
        print("workers: this process only (SQLite, or no worker has started on PostgreSQL yet)")
    else:
        silent = f", {queue.workers_silent} silent (dead?)" if queue.workers_silent else ""
        print(f"workers: {queue.workers_alive} alive{silent}")
        print("jobs (waiting / running):")
        for depth in queue.depths or []:
            print(f"  {depth.task:<18} {depth.waiting:>6} / {depth.running}")
        if not queue.depths:
            print("  none")
    print(f"oldest due poll: {_late(due, now)}")
    print(f"oldest unsent alert: {_late(unsent, now)}")
    over = [load for load in loads if load.over]
    print(f"sites: {len(loads)}, over their politeness budget: {len(over)}")
    for load in over:
        print("  " + plain(capacity_note("en", load)))
    return 0


def _late(since: datetime | None, now: datetime) -> str:
    if since is None:
        return "none waiting"
    return f"waiting {max(0.0, (now - since).total_seconds()):.0f} s (since {since:%H:%M:%S} UTC)"
