"""`otklik scan`: one pass over every source, printing new mentions and a per-source summary."""

from __future__ import annotations

import argparse
import asyncio
import sys

from common.vocabulary import SourceHealth
from otklik.app import open_runtime
from otklik.console import describe, short_url
from otklik.logs import setup_logging
from otklik.pipeline import PollReport
from otklik.scheduler import Scheduler
from otklik.settings import Settings, load_settings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("scan", help="poll every source once and print what is new")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    parser.add_argument(
        "--verbose", action="store_true", help="name the error type of each failure and log more"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings()
    quiet_level = "ERROR" if settings.log_level == "INFO" else settings.log_level
    setup_logging("INFO" if args.verbose else quiet_level)
    return asyncio.run(scan(settings, quiet=args.quiet, verbose=args.verbose))


async def scan(settings: Settings, *, quiet: bool = False, verbose: bool = False) -> int:
    async with open_runtime(settings) as runtime:
        total = sum(len(brand.sources) for brand in runtime.config.brands)
        done = 0

        def progress(report: PollReport) -> None:
            nonlocal done
            done += 1
            status = "failed" if report.error else f"{len(report.new_mentions)} new"
            print(f"[{done}/{total}] {where(report)}: {status}", file=sys.stderr)
            if not quiet:
                for mention in report.new_mentions:
                    print("  " + describe(mention))

        scheduler = Scheduler(
            runtime.sessionmaker,
            runtime.pipeline,
            max_concurrency=settings.max_concurrent_polls,
            on_report=progress,
        )
        reports = await scheduler.poll_all()
    print_summary(reports, verbose=verbose)
    return 0


def where(report: PollReport) -> str:
    source = report.source
    return f"{source.brand_name} · {source.kind} {short_url(source.url)}"


def print_summary(reports: list[PollReport], *, verbose: bool = False) -> None:
    print("\nsource summary:")
    for report in reports:
        labels: dict[str, int] = {}
        for mention in report.new_mentions:
            key = mention.sentiment_label or "unlabelled"
            labels[key] = labels.get(key, 0) + 1
        counts = ", ".join(f"{n} {label}" for label, n in sorted(labels.items())) or "nothing new"
        if report.not_modified:
            counts = "not modified"
        extra = (
            " (first poll: history, no alerts)" if report.backfill and report.new_mentions else ""
        )
        if report.error:
            kind = f"{report.error_kind}: " if verbose and report.error_kind else ""
            counts = f"failed: {kind}{report.error}"
        line = f"  {where(report)}: {counts}{extra}"
        if report.cases_opened:
            line += f"; {report.cases_opened} cases, {report.alerts_queued} alerts queued"
        changed = [
            f"{count} {what}"
            for count, what in (
                (report.edited, "edited"),
                (report.replies_seen, "answered on the site"),
                (report.removed, "removed from the site"),
            )
            if count
        ]
        if changed:
            line += "; " + ", ".join(changed)
        if report.reconciled and not report.backfill:
            line += " · full walk"
        if report.health and report.health != SourceHealth.OK:
            line += f" · health: {report.health}"
        if report.skipped:
            line += f" · {len(report.skipped)} malformed entries skipped ({report.skipped[0]})"
        if report.path and "failed" in report.path:  # a fallback: say why
            line += f" · read via {report.path}"
        print(line)
    if not reports:
        print("  no sources configured: add [[brands.sources]] to the config")
