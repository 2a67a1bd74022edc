"""`otklik init`: create or upgrade the database and write an example brands file."""

from __future__ import annotations

import argparse
import asyncio
from importlib.resources import files

from otklik.app import prepare_database
from otklik.logs import setup_logging
from otklik.settings import load_settings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("init", help="create/upgrade the database and write an example config")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings()
    setup_logging(settings.log_level)

    async def migrate() -> None:
        engine = await prepare_database(settings)
        await engine.dispose()

    asyncio.run(migrate())
    print(f"database ready: {settings.database_url}")
    if settings.config.exists():
        print(f"config kept: {settings.config}")
    else:
        settings.config.write_text(
            files("otklik").joinpath("example_config.toml").read_text(encoding="utf-8"),
            encoding="utf-8",
        )
        print(f"example config written: {settings.config} (edit brands, owners and sources)")
    return 0
