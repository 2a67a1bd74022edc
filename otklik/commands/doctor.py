"""`otklik doctor URL`: check a live source the way the service would poll it, in plain words.

Fetches the URL through the service's own fetcher and parser (a first poll, nothing stored) and
says: which kind of source it is, how the reviews were reached (API / embedded state / HTML),
how many reviews the site says it has, any anti-bot wall, entries it could not read, and the
first records. Exit status 0 when records (or an honestly empty page) came back, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field

from common.errors import ConfigError
from otklik.app import fetch_settings_of
from otklik.pipeline import title_and_text
from otklik.settings import load_settings
from scrapers import registry
from scrapers.errors import (
    AntiBotPage,
    FetchError,
    NotReviewsPage,
    ParseError,
    RateLimited,
    SourceConfigError,
    SourceError,
)
from scrapers.fetch import Fetcher, FetchSettings, make_client_session
from scrapers.records import PollState, ScrapedItem, SourceSpec

# How a kind reaches its records when its pages do not say (one way only).
_USUAL_PATH = {
    "appstore": "API (Apple's public reviews feed)",
    "google_play": "API (the Play web client's batchexecute)",
    "telegram": "HTML (the channel's public preview)",
    "reddit": "API (search.json)",
    "hackernews": "API (Algolia search)",
    "rss": "feed",
}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "doctor", help="check a live source URL as the service would poll it, in plain words"
    )
    parser.add_argument("url", help="the page you would add as a source")
    parser.add_argument("--kind", help="source kind, when the URL does not say it")
    parser.add_argument(
        "--option", action="append", default=[], metavar="KEY=VALUE", help="source option"
    )
    parser.add_argument("--records", type=int, default=3, help="records to show (default 3)")
    parser.set_defaults(handler=handle)


@dataclass(slots=True)
class Diagnosis:
    """What one check found; `problem` is None when the source works."""

    url: str
    kind: str
    title: str
    items: list[ScrapedItem] = field(default_factory=list)
    path: str | None = None
    site_total: int | None = None
    skipped: tuple[str, ...] = ()
    antibot: str | None = None
    problem: str | None = None


def handle(args: argparse.Namespace) -> int:
    kind = args.kind or registry.detect(args.url)
    if kind is None:
        raise ConfigError(
            f"no source kind recognises {args.url!r}; name one with --kind "
            f"({', '.join(registry.kinds())})"
        )
    registry.source_class(kind)
    options = dict(_option(raw) for raw in args.option)
    settings = fetch_settings_of(load_settings())
    found = asyncio.run(diagnose(args.url, kind, options, settings, limit=max(1, args.records)))
    print(render(found, shown=args.records))
    return 0 if found.problem is None else 1


async def diagnose(
    url: str, kind: str, options: dict[str, str], settings: FetchSettings, *, limit: int
) -> Diagnosis:
    found = Diagnosis(url, kind, registry.source_class(kind).title or kind)
    async with make_client_session(settings) as session:
        source = registry.create(SourceSpec(kind, url, (), options), Fetcher(session, settings))
        try:
            result = await source.poll(PollState(), backfill_limit=limit)
        except AntiBotPage as exc:
            found.antibot = _message(exc)
            found.problem = "the site answered with an anti-bot page instead of reviews"
        except RateLimited as exc:
            found.antibot = f"the site asks to slow down (HTTP 429, retry after {exc.retry_after})"
            found.problem = "rate limited"
        except NotReviewsPage as exc:
            found.problem = f"this URL is not a reviews page: {_message(exc)}"
        except SourceConfigError as exc:
            found.problem = f"the source's URL or options cannot work: {_message(exc)}"
        except ParseError as exc:
            found.problem = f"the page did not have the expected layout: {_message(exc)}"
        except FetchError as exc:
            found.problem = f"could not fetch: {_message(exc)}"
        except SourceError as exc:
            found.problem = _message(exc)
        else:
            found.items = result.items
            found.path = result.path or _USUAL_PATH.get(kind)
            found.site_total = result.site_total
            found.skipped = result.skipped
    return found


def render(found: Diagnosis, *, shown: int) -> str:
    lines = [
        f"URL:        {found.url}",
        f"Kind:       {found.title} (kind {found.kind})",
    ]
    if found.problem is not None:
        lines.append(f"Result:     NOT WORKING — {found.problem}")
        lines.append(f"Anti-bot:   {found.antibot or 'no sign of one'}")
        return "\n".join(lines)
    lines += [
        f"Result:     works — {len(found.items)} record(s) read on a first poll",
        f"Path:       {found.path or 'the site API'}",
        "Site says:  "
        + (
            f"{found.site_total} reviews in all"
            if found.site_total is not None
            else "no review count on the page"
        ),
        "Anti-bot:   no sign of one",
    ]
    if found.skipped:
        lines.append(f"Unreadable: {len(found.skipped)} entries skipped ({found.skipped[0]})")
    if not found.items:
        lines.append("Records:    none on the page (new or empty source?)")
        return "\n".join(lines)
    lines.append("First records:")
    for number, item in enumerate(found.items[:shown], start=1):
        lines.extend(_record(number, item))
    return "\n".join(lines)


def _record(number: int, item: ScrapedItem) -> list[str]:
    stars = "★" * round(item.rating) if item.rating is not None else "no stars"
    when = item.published_at.strftime("%Y-%m-%d %H:%M %Z") if item.published_at else "undated"
    head = " · ".join(part for part in (stars, when, item.author or "anonymous") if part)
    text = " ".join(title_and_text(item.title, item.text).split())
    out = [f"  {number}. {head}", f"     {_cut(text) or '(no text)'}"]
    if item.reply:
        out.append(f"     ↳ reply: {_cut(' '.join(item.reply.split()))}")
    elif item.extra.get("reply_collapsed"):
        out.append("     ↳ answered (the reply is collapsed on the page)")
    if item.url:
        out.append(f"     {item.url}")
    return out


def _cut(text: str, width: int = 140) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _message(exc: SourceError) -> str:
    return str(exc.args[0]) if exc.args else type(exc).__name__


def _option(raw: str) -> tuple[str, str]:
    key, sep, value = raw.partition("=")
    if not sep or not key:
        raise ConfigError(f"--option {raw!r}: expected KEY=VALUE")
    return key, value
