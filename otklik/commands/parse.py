"""`otklik parse KIND PATH_OR_URL`: run one source's parser and print its records as JSON lines.

A saved file goes through the source's own `parse` (the same code `poll` uses); a live http(s)
URL is polled once through the real fetcher, as a first poll (`--limit` items).
`otklik parse --detect URL` prints the kind a pasted URL belongs to.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from common.errors import ConfigError
from scrapers import registry
from scrapers.antibot import check_antibot
from scrapers.fetch import Fetcher, FetchResponse, FetchSettings, make_client_session
from scrapers.matching import AliasMatcher
from scrapers.records import PollState, ScrapedItem, SourceSpec

_CONTENT_TYPES = {
    ".json": "application/json",
    ".html": "text/html",
    ".htm": "text/html",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "parse",
        help="run a source parser on a saved page or a live URL; print records as JSON lines",
    )
    parser.add_argument("kind", nargs="?", help=f"source kind: {', '.join(registry.kinds())}")
    parser.add_argument("target", nargs="?", help="saved file, or an http(s) URL to fetch")
    parser.add_argument("--detect", metavar="URL", help="print the kind of a pasted URL and exit")
    parser.add_argument(
        "--alias", action="append", default=[], help="keep only items naming this (repeatable)"
    )
    parser.add_argument(
        "--source-url", help="the source's URL when parsing a file (app id, channel, ...)"
    )
    parser.add_argument(
        "--option", action="append", default=[], metavar="KEY=VALUE", help="source option"
    )
    parser.add_argument("--limit", type=int, default=50, help="items to fetch from a live URL")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.detect:
        kind = registry.detect(args.detect)
        if kind is None:
            raise ConfigError(
                f"no source kind recognises {args.detect!r}; known kinds: "
                f"{', '.join(registry.kinds())}"
            )
        print(kind)
        return 0
    if not args.kind or not args.target:
        raise ConfigError("usage: otklik parse KIND PATH_OR_URL, or otklik parse --detect URL")
    registry.source_class(args.kind)  # an unknown kind fails before any file or URL is touched
    options = dict(_option(raw) for raw in args.option)
    target: str = args.target
    if target.startswith(("http://", "https://")):
        spec = SourceSpec(args.kind, target, tuple(args.alias), options)
        items = asyncio.run(_poll(spec, args.limit))
    else:
        spec = SourceSpec(args.kind, args.source_url or "", tuple(args.alias), options)
        items = asyncio.run(_parse_file(spec, *_read(Path(target))))
    for item in items:
        print(json.dumps(record(item), ensure_ascii=False))
    return 0


def record(item: ScrapedItem) -> dict[str, Any]:
    """The JSON shape users see: the item's fields, extra kept as an object."""
    return {
        "external_id": item.external_id,
        "url": item.url,
        "author": item.author,
        "rating": item.rating,
        "title": item.title,
        "text": item.text,
        "published_at": item.published_at.isoformat() if item.published_at else None,
        "reply": item.reply,
        "extra": dict(item.extra),
    }


def _option(raw: str) -> tuple[str, str]:
    key, sep, value = raw.partition("=")
    if not sep or not key:
        raise ConfigError(f"--option {raw!r}: expected KEY=VALUE")
    return key, value


def _read(path: Path) -> tuple[bytes, str, str]:
    """The file's bytes, its file:// URL and the content type its suffix implies."""
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return body, path.resolve().as_uri(), _CONTENT_TYPES.get(path.suffix.lower(), "")


async def _parse_file(
    spec: SourceSpec, body: bytes, url: str, content_type: str
) -> list[ScrapedItem]:
    check_antibot(body, url=url, source=spec.kind)
    response = FetchResponse(
        status=200,
        url=url,
        body=body,
        content_type=content_type,
        source=spec.kind,
    )
    settings = FetchSettings()
    # The parser is the source's own; the session is never used for a file.
    async with make_client_session(settings) as session:
        source = registry.create(spec, Fetcher(session, settings))
        items = source.parse_safely(response).items
    matcher = AliasMatcher(spec.aliases)
    if matcher:
        items = [i for i in items if matcher.matches(i.title, i.text)]
    return items


async def _poll(spec: SourceSpec, limit: int) -> list[ScrapedItem]:
    settings = FetchSettings()
    async with make_client_session(settings) as session:
        source = registry.create(spec, Fetcher(session, settings))
        result = await source.poll(PollState(), backfill_limit=limit)
    if not result.items:
        print(f"otklik: {spec.kind} {spec.url}: no items", file=sys.stderr)
    return result.items
