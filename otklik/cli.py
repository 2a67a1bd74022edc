"""The `otklik` command: one subcommand per module in otklik/commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from common.errors import OtklikError
from otklik.commands import COMMANDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="otklik", description="Brand-reputation monitor: reviews and mentions to Telegram."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except OtklikError as exc:
        print(f"otklik: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
