"""Subcommands. Each module has `add_parser(subparsers)` which sets `handler=` on its parser;
a new command is one module plus one line here."""

from __future__ import annotations

from types import ModuleType

from otklik.commands import (
    classify,
    demo,
    doctor,
    init,
    parse,
    report,
    run,
    scan,
    sources,
    status,
    train,
)

COMMANDS: list[ModuleType] = [
    demo,
    init,
    scan,
    run,
    sources,
    status,
    classify,
    train,
    report,
    parse,
    doctor,
]
