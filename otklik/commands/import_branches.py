"""`otklik import FILE.csv`: a chain's branches and their source URLs in one go."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path

from common.errors import ConfigError
from otklik.app import open_database
from otklik.branch_import import parse_branches_csv
from otklik.logs import setup_logging
from otklik.settings import load_settings
from scrapers import registry
from storage.repositories import branches, stats


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "import",
        help="import branches and their source URLs from a CSV file (bad rows reported by line)",
    )
    parser.add_argument(
        "file", type=Path, help="CSV: brand, branch, city, address, timezone, url, kind, interval"
    )
    parser.add_argument(
        "--brand", help="the brand of every row (then the brand column may be left out)"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    setup_logging("WARNING")
    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ConfigError(f"{args.file}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{args.file}: not UTF-8 text (byte {exc.start}); save the sheet as CSV UTF-8"
        ) from exc
    return asyncio.run(run_import(args.file, text, args.brand))


async def run_import(path: Path, text: str, brand: str | None) -> int:
    """Prints what was imported and every refused row; 1 when a row was refused."""
    settings = load_settings()
    async with open_database(settings) as database:
        async with database.sessionmaker() as session:
            names = [b.name for b in await stats.all_brands(session)]
        parsed = parse_branches_csv(
            text,
            brands=names,
            detect_kind=registry.detect,
            known_kinds=registry.kinds(),
            check_source=registry.check,
            brand=brand,
        )
        added = sources = total = 0
        now = datetime.now(UTC)
        async with database.sessionmaker.begin() as session:
            for brand_name, specs in parsed.branches.items():
                found = await stats.brand_by_name(session, brand_name)
                assert found is not None, "brand names were checked against this database"
                counts = await branches.import_branches(session, found.id, specs, now)
                added += counts.branches_added
                sources += counts.sources_added
                total += len(specs)
    print(f"{path}: {parsed.rows} rows, {total} branches ({added} new), {sources} new sources")
    for error in parsed.errors:
        print(f"{path}, {error}")
    return 1 if parsed.errors else 0
