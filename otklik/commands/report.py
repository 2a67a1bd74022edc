"""`otklik report`: a brand's reputation report for a period as Markdown or HTML, with the
chart (PNG) and the period's mentions (CSV), written to a folder."""

from __future__ import annotations

import argparse
import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from common.errors import ConfigError, OtklikError
from otklik.logs import setup_logging
from otklik.settings import load_settings
from reports import (
    DigestFigures,
    build_figures,
    html_report,
    markdown_report,
    mentions_csv,
    parse_period,
)
from reports.chart import render_chart
from reports.documents import FORMATS
from storage.db import make_engine, make_sessionmaker
from storage.repositories import stats
from storage.repositories.stats import SourceInfo


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """What one report run wrote."""

    document: Path
    chart: Path
    mentions: Path
    mention_count: int


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "report", help="write a brand's report (Markdown or HTML) with its chart and mentions CSV"
    )
    parser.add_argument("--brand", required=True, help="brand name as in the config")
    parser.add_argument("--period", default="7d", help="7d, 30d, any Nd, or a month YYYY-MM")
    parser.add_argument("--format", choices=FORMATS, default="md", dest="fmt")
    parser.add_argument("--lang", choices=("ru", "en"), default="ru")
    parser.add_argument("--out", type=Path, default=Path("."), help="folder for the files")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings()
    setup_logging("WARNING")
    figures, sources = asyncio.run(
        load_report(settings.database_url, args.brand, args.period, datetime.now(UTC))
    )
    files = write_report(figures, sources, fmt=args.fmt, lang=args.lang, out=args.out)
    print(f"{files.document}\n{files.chart}\n{files.mentions} ({files.mention_count} mentions)")
    return 0


async def load_report(
    database_url: str, brand_name: str, period_spec: str, now: datetime
) -> tuple[DigestFigures, list[SourceInfo]]:
    """The brand's figures for the period (in the brand's time zone) and its sources."""
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            brand = await stats.brand_by_name(session, brand_name)
            if brand is None:
                names = ", ".join(b.name for b in await stats.all_brands(session))
                raise OtklikError(f"no brand named {brand_name!r}; known: {names or 'none'}")
            period = parse_period(period_spec, now, brand.timezone)
            figures = await build_figures(session, brand, period, now)
            return figures, await stats.sources_of_brand(session, brand.id)
    except DBAPIError as exc:
        raise ConfigError(
            f"cannot read the database {engine.url.render_as_string()}: {exc.orig} "
            "(run `otklik init` first?)"
        ) from exc
    finally:
        await engine.dispose()


def write_report(
    figures: DigestFigures, sources: list[SourceInfo], *, fmt: str, lang: str, out: Path
) -> ReportFiles:
    """Document, chart and CSV side by side; an empty period's chart is a 'no data' card."""
    out.mkdir(parents=True, exist_ok=True)
    period = figures.period
    stem = f"{_slug(figures.brand_name)}-{period.first_day}_{period.last_day}"
    chart = out / f"{stem}.png"
    chart.write_bytes(render_chart(figures, lang))
    render = markdown_report if fmt == "md" else html_report
    document = out / f"{stem}.{fmt}"
    document.write_text(render(figures, lang, chart.name), encoding="utf-8")
    mentions = out / f"{stem}-mentions.csv"
    mentions.write_text(mentions_csv(figures.mentions, sources), encoding="utf-8")
    return ReportFiles(document, chart, mentions, len(figures.mentions))


def _slug(name: str) -> str:
    """A file-name-safe form of a brand name; Cyrillic letters stay."""
    return re.sub(r"[^\w]+", "-", name).strip("-").lower() or "brand"
