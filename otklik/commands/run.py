"""`otklik run`: the long-running service."""

from __future__ import annotations

import argparse
import asyncio

from otklik.logs import setup_logging
from otklik.service import serve
from otklik.settings import load_settings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("run", help="run the scheduler, the sender and the Telegram bot")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings()
    setup_logging(settings.log_level)
    asyncio.run(serve(settings))
    return 0
