"""`otklik sources`: every source with its health and last poll."""

from __future__ import annotations

import argparse
import asyncio

from bot.texts import t
from otklik.app import open_database
from otklik.logs import setup_logging
from otklik.settings import Settings, load_settings
from storage.repositories.mentions import held_count
from storage.repositories.sources import current_paths, list_sources


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("sources", help="list sources with their health")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings()
    setup_logging("WARNING")
    return asyncio.run(show(settings))


async def show(settings: Settings) -> int:
    async with open_database(settings) as database, database.sessionmaker() as session:
        sources = await list_sources(session)
        held = await held_count(session, [source.id for source in sources])
        paths = await current_paths(session)
    for source in sources:
        when = (
            source.last_success_at.isoformat(timespec="minutes")
            if source.last_success_at
            else "never"
        )
        state = source.health if source.enabled else "disabled"
        print(f"{source.id:>4} {source.brand_name} · {source.kind} {source.url}")
        print(
            f"      health: {state}; last success: {when}; failures in a row: {source.consecutive_failures}"
        )
        if source.site_total is not None:
            print(f"      site: {source.site_total}, held: {held[source.id]}")
        if source.coverage_note:
            print(f"      coverage warning: {t('en', f'coverage_reason_{source.coverage_note}')}")
        if source.id in paths:
            print(f"      reads via: {paths[source.id]}")
        if source.last_error:
            print(f"      last error: {source.last_error}")
    return 0
