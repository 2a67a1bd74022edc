"""`otklik train`: retrain the bundled sentiment model on the shared data plus the label
corrections people made in the bot."""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path

from common.errors import ConfigError
from otklik.logs import setup_logging
from otklik.settings import Settings, load_settings
from sentiment.linear import MODEL_DIR
from sentiment.train import CORRECTION_WEIGHT, DEFAULT_DATA, Example, run_training
from storage.db import make_engine, make_sessionmaker
from storage.repositories.corrections import CorrectionRecord, corrections_for_training

log = logging.getLogger(__name__)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "train", help="retrain the bundled sentiment model (shared data + stored corrections)"
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled data folder")
    parser.add_argument("--out", type=Path, default=MODEL_DIR, help="where to write the model")
    parser.add_argument(
        "--no-corrections", action="store_true", help="ignore corrections in the database"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings()
    setup_logging(settings.log_level)
    corrections = [] if args.no_corrections else asyncio.run(load_corrections(settings))
    extra = [Example(c.text, c.label, c.brand, CORRECTION_WEIGHT) for c in corrections]
    try:
        count = run_training(args.data, args.out, extra=extra)
    except ImportError as exc:
        raise ConfigError(
            f"training needs the train extra (pip install 'otklik[train]'): {exc}"
        ) from exc
    print(f"trained on {count} examples ({len(extra)} corrections); model in {args.out}")
    return 0


async def load_corrections(settings: Settings) -> list[CorrectionRecord]:
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = await corrections_for_training(session)
    except Exception as exc:  # no database yet is fine: train on the shared data alone
        log.warning("no corrections read from %s: %s", settings.database_url, exc)
        rows = []
    finally:
        await engine.dispose()
    log.info("%d corrected labels from the database", len(rows))
    return rows
