"""RSS 2.0 / RSS 1.0 / Atom feeds (news, Google Alerts, blogs, forums) via feedparser.

The spec URL is the feed. Items are kept only when they name one of the brand's aliases (all
items when the source has no aliases). Conditional requests (ETag / Last-Modified) are used;
feeds have no pagination. Google Alerts redirect links are unwrapped to the article URL.
Options: `max_pages` (unused: one page).
A document that is not a feed, or a feed cut off mid-way, is a ParseError; other feedparser
"bozo" complaints (wrong charset label, stray entities) are tolerated, as real feeds have them.
"""

from __future__ import annotations

import hashlib
import xml.sax
from datetime import UTC, datetime
from time import struct_time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import feedparser

from scrapers.base import Page, Source
from scrapers.entries import read_entries
from scrapers.fetch import FetchResponse
from scrapers.parsing import clean_text, html_to_text
from scrapers.records import ScrapedItem

_ROOT_CLOSERS = (b"</rss>", b"</feed>", b"</rdf:rdf>", b"</channel>")


def _when(value: struct_time | None) -> datetime | None:
    if not value:
        return None
    return datetime(*value[:6], tzinfo=UTC)


def _unwrap_google(link: str | None) -> str | None:
    if not link:
        return link
    parts = urlsplit(link)
    if parts.hostname and parts.hostname.startswith("www.google.") and parts.path == "/url":
        target = parse_qs(parts.query).get("url")
        if target:
            return target[0]
    return link


class RssSource(Source):
    """Any valid RSS or Atom feed; brand mentions only."""

    kind = "rss"
    title = "an RSS/Atom feed"
    generic = True
    filters_by_alias = True
    max_pages = 1
    url_patterns = (
        r"\.(rss|atom|xml|rdf)(\?|#|$)",
        r"/(feed|feeds|rss|atom)(/|\?|#|$|\.)",
        r"^(www\.)?google\.[a-z.]+/alerts/feeds/",
        r"^feeds\.feedburner\.com/",
        r"[?&](format|type)=(rss|atom)",
    )

    async def fetch_page(
        self, token: str | None, *, etag: str | None, last_modified: str | None
    ) -> FetchResponse:
        return await self.fetcher.get(
            self.spec.url, etag=etag, last_modified=last_modified, source=self.kind
        )

    def parse(self, response: FetchResponse) -> Page:
        content_type = response.content_type or "application/xml"
        if response.charset:
            content_type += f"; charset={response.charset}"
        try:
            parsed = feedparser.parse(
                response.body,
                response_headers={"content-type": content_type, "content-location": response.url},
            )
        except (ValueError, LookupError, UnicodeError) as exc:  # feedparser gives up on bad prologs
            raise self.error(f"unreadable feed ({exc})", response.url) from exc
        problem = parsed.get("bozo_exception")
        if not parsed.get("version") and not parsed.get("entries"):
            reason = f" ({problem})" if problem else ""
            raise self.error(f"not an RSS/Atom feed{reason}; layout changed?", response.url)
        if isinstance(problem, xml.sax.SAXParseException) and not _closed(response.body):
            raise self.error(f"feed is cut off ({problem})", response.url)
        feed_title = clean_text(parsed.feed.get("title", ""))
        read = read_entries(
            parsed.entries, lambda entry: self._item(entry, feed_title), what="item"
        )
        return Page(read.items, skipped=tuple(read.skipped))

    def _item(self, entry: Any, feed_title: str) -> ScrapedItem:
        # FeedBurner wraps links in its tracker; the original is kept alongside.
        link = entry.get("feedburner_origlink") or _unwrap_google(entry.get("link"))
        title = html_to_text(entry.get("title")) or None
        contents = entry.get("content") or []
        body = contents[0].get("value") if contents else entry.get("summary")
        # dict.get skips FeedParserDict key aliasing (and its deprecation warning).
        published = _when(dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed"))
        external_id = entry.get("id") or link
        if not external_id:
            seed = f"{title}|{published}|{body}".encode()
            external_id = "sha1:" + hashlib.sha1(seed).hexdigest()
        extra = {"feed": feed_title} if feed_title else {}
        tags = [t.get("term") for t in entry.get("tags", []) if t.get("term")]
        if tags:
            extra["categories"] = ", ".join(tags)
        return ScrapedItem(
            external_id=external_id,
            url=link,
            text=html_to_text(body) or title or "",
            author=entry.get("author") or None,
            title=title,
            published_at=published,
            extra=extra,
        )


def _closed(body: bytes) -> bool:
    tail = body[-2048:].lower().rstrip()
    return any(closer in tail for closer in _ROOT_CLOSERS)
