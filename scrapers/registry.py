"""Source kinds: one module in scrapers/sources/ plus one line in `_KINDS`.

- `kinds() -> list[str]` — every known kind, in registry order.
- `source_class(kind) -> type[Source]` — the class (imports its module on first use).
- `create(spec, fetcher) -> Source` — unknown kind → ConfigError listing the known kinds.
- `check(spec)` — ConfigError for an unknown kind, SourceConfigError when the source's URL or
  options cannot work; fetches nothing (run when a source is added).
- `detect(url) -> str | None` — the kind a pasted http(s) URL belongs to (specific kinds first,
  generic ones such as rss last), or None.
"""

from __future__ import annotations

import importlib
from urllib.parse import urlsplit

from common.errors import ConfigError
from scrapers.base import Source
from scrapers.fetch import Fetcher
from scrapers.records import SourceSpec

# kind → "module:Class". Add a line per source.
_KINDS: dict[str, str] = {
    "rss": "scrapers.sources.rss:RssSource",
    "appstore": "scrapers.sources.appstore:AppStoreSource",
    "google_play": "scrapers.sources.google_play:GooglePlaySource",
    "telegram": "scrapers.sources.telegram:TelegramSource",
    "reddit": "scrapers.sources.reddit:RedditSource",
    "hackernews": "scrapers.sources.hackernews:HackerNewsSource",
    # issue 8 (maps and review sites) adds its lines below.
    "yandex_maps": "scrapers.sources.yandex_maps:YandexMapsSource",
    "twogis": "scrapers.sources.twogis:TwoGisSource",
    "flamp": "scrapers.sources.flamp:FlampSource",
    "google_maps": "scrapers.sources.google_maps:GoogleMapsSource",
    "google_business": "scrapers.sources.google_business:GoogleBusinessSource",
    "otzovik": "scrapers.sources.otzovik:OtzovikSource",
    "irecommend": "scrapers.sources.irecommend:IrecommendSource",
    "zoon": "scrapers.sources.zoon:ZoonSource",
    "trustpilot": "scrapers.sources.trustpilot:TrustpilotSource",
}


def kinds() -> list[str]:
    return list(_KINDS)


def source_class(kind: str) -> type[Source]:
    target = _KINDS.get(kind)
    if target is None:
        raise ConfigError(f"unknown source kind {kind!r}; known kinds: {', '.join(_KINDS)}")
    module_name, _, class_name = target.partition(":")
    cls: type[Source] = getattr(importlib.import_module(module_name), class_name)
    return cls


def create(spec: SourceSpec, fetcher: Fetcher) -> Source:
    return source_class(spec.kind)(spec, fetcher)


def check(spec: SourceSpec) -> None:
    source_class(spec.kind)(spec).check()


def detect(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    classes = [source_class(kind) for kind in _KINDS]
    for cls in sorted(classes, key=lambda c: c.generic):
        if cls.matches_url(url):
            return cls.kind
    return None
