"""Logging set up once per process."""

from __future__ import annotations

import logging


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    # aiohttp and aiogram are chatty at INFO about every request.
    for noisy in ("aiohttp.access", "aiogram.event", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    # The database driver logs every statement with its parameters at DEBUG, source secrets
    # included: never below INFO.
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, logging.getLevelName(level)))
