"""`otklik run`: the long-running service, or one role of it on PostgreSQL."""

from __future__ import annotations

import argparse
import asyncio

from common.errors import ConfigError
from otklik.logs import setup_logging
from otklik.roles import Role, parse_roles
from otklik.service import serve
from otklik.settings import load_settings
from otklik.telegram import Webhook, webhook_secret


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("run", help="run the scheduler, the sender and the Telegram bot")
    parser.add_argument(
        "--role",
        default=Role.ALL.value,
        help="the part of the service this process runs, one or several of "
        f"{', '.join(role.value for role in Role)} (e.g. poll,send; PostgreSQL only; "
        "default: all)",
    )
    parser.add_argument(
        "--webhook",
        metavar="URL",
        help="receive Telegram updates at this public https URL instead of long polling, "
        "so several bot processes can share them behind a load balancer",
    )
    parser.add_argument(
        "--listen",
        metavar="HOST:PORT",
        default="127.0.0.1:8080",
        help="where the webhook server listens (default 127.0.0.1:8080)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings()
    setup_logging(settings.log_level)
    webhook = None
    if args.webhook:
        if settings.bot_token is None:
            raise ConfigError("--webhook needs OTKLIK_BOT_TOKEN")
        host, _, port = args.listen.rpartition(":")
        if not host or not port.isdigit():
            raise ConfigError(f"--listen {args.listen!r}: expected HOST:PORT, e.g. 0.0.0.0:8080")
        webhook = Webhook(args.webhook, host, int(port), webhook_secret(settings))
    asyncio.run(serve(settings, roles=parse_roles(args.role), webhook=webhook))
    return 0
