"""`otklik classify [FILE]`: label texts from a file or stdin, one JSON line out per text in."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterator
from typing import TextIO

from common.errors import ConfigError
from otklik.logs import setup_logging
from otklik.settings import load_settings
from sentiment import Classifier, Sentiment, TextInput, load_classifier
from sentiment.stars import valid_rating

BATCH = 256


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "classify",
        help="label texts: one per line, or JSON lines with text, rating?, brand?",
    )
    parser.add_argument("file", nargs="?", help="input file (default: standard input)")
    parser.add_argument(
        "--model",
        help="bundled (encoder + linear), linear, keywords, or a Hugging Face model id/folder "
        "(default: OTKLIK_SENTIMENT_MODEL, else bundled)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings()
    setup_logging("WARNING" if settings.log_level == "INFO" else settings.log_level)
    classifier = load_classifier(args.model or settings.sentiment_model)
    if classifier.fallback_reason:
        print(f"otklik: using {classifier.name}: {classifier.fallback_reason}", file=sys.stderr)
    if args.file:
        try:
            with open(args.file, encoding="utf-8") as handle_:
                return asyncio.run(classify_stream(classifier, handle_, sys.stdout))
        except OSError as exc:
            raise ConfigError(f"cannot read {args.file}: {exc.strerror}") from exc
    return asyncio.run(classify_stream(classifier, sys.stdin, sys.stdout))


def parse_line(line: str) -> TextInput:
    """A JSON object with `text` (and optional `rating`, `brand`), or else the line itself."""
    stripped = line.rstrip("\r\n")
    if stripped.lstrip().startswith("{"):
        try:
            row = json.loads(stripped)
        except ValueError:
            row = None
        if isinstance(row, dict) and isinstance(row.get("text"), str):
            rating = row.get("rating")
            if isinstance(rating, str):
                try:
                    rating = float(rating)
                except ValueError:
                    rating = None
            if isinstance(rating, bool):  # JSON true/false pass for ints in Python, not stars
                rating = None
            brand = row.get("brand")
            return TextInput(row["text"], valid_rating(rating), str(brand) if brand else None)
    return TextInput(stripped)


def _batches(lines: TextIO) -> Iterator[list[TextInput]]:
    batch: list[TextInput] = []
    for line in lines:
        batch.append(parse_line(line))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def to_json(result: Sentiment) -> str:
    return json.dumps(
        {
            "label": result.label,
            "score": round(result.score, 4),
            "scores": {k: round(v, 4) for k, v in result.scores.items()},
            "touchpoints": [{"tag": t.tag, "polarity": t.polarity} for t in result.touchpoints],
            "needs_review": result.needs_review,
        },
        ensure_ascii=False,
    )


async def classify_stream(classifier: Classifier, lines: TextIO, out: TextIO) -> int:
    for batch in _batches(lines):
        for result in await classifier.classify(batch):
            out.write(to_json(result) + "\n")
        out.flush()
    return 0
