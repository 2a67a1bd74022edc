"""`otklik scan`: one pass over every source, printing new mentions and a per-source summary."""

from __future__ import annotations

import argparse
import asyncio
import sys

from otklik.app import open_runtime
from otklik.console import describe
from otklik.logs import setup_logging
from otklik.pipeline import PollReport
from otklik.scheduler import Scheduler
from otklik.settings import Settings, load_settings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("scan", help="poll every source once and print what is new")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings()
    setup_logging("ERROR" if settings.log_level == "INFO" else settings.log_level)
    return asyncio.run(scan(settings, quiet=args.quiet))


async def scan(settings: Settings, *, quiet: bool = False) -> int:
    async with open_runtime(settings) as runtime:
        total = sum(len(brand.sources) for brand in runtime.config.brands)
        done = 0

        def progress(report: PollReport) -> None:
            nonlocal done
            done += 1
            source = report.source
            status = f"error: {report.error}" if report.error else f"{len(report.new_mentions)} new"
            print(
                f"[{done}/{total}] {source.brand_name} · {source.kind} {source.url}: {status}",
                file=sys.stderr,
            )
            if not quiet:
                for mention in report.new_mentions:
                    print("  " + describe(mention))

        scheduler = Scheduler(
            runtime.sessionmaker,
            runtime.pipeline,
            max_concurrency=settings.max_concurrent_polls,
            max_per_host=settings.http_per_host_concurrency,
            on_report=progress,
        )
        reports = await scheduler.poll_all()
    print_summary(reports)
    return 0


def print_summary(reports: list[PollReport]) -> None:
    print("\nsource summary:")
    for report in reports:
        source = report.source
        labels: dict[str, int] = {}
        for mention in report.new_mentions:
            key = mention.sentiment_label or "unlabelled"
            labels[key] = labels.get(key, 0) + 1
        counts = ", ".join(f"{n} {label}" for label, n in sorted(labels.items())) or "nothing new"
        if report.not_modified:
            counts = "not modified"
        if report.error:
            counts = "FAILED"
        extra = (
            " (first poll: history, no alerts)" if report.backfill and report.new_mentions else ""
        )
        line = f"  {source.brand_name} · {source.kind} {source.url}: {counts}{extra}"
        if report.cases_opened:
            line += f"; {report.cases_opened} cases, {report.alerts_queued} alerts queued"
        if report.error:
            line += f"\n    {report.error}"
        if report.health and report.health != "ok":
            line += f"\n    health: {report.health}"
        print(line)
    if not reports:
        print("  no sources configured: add [[brands.sources]] to the config")
