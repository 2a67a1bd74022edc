"""App Store customer reviews from Apple's public per-country RSS feed (JSON flavour).

URL: `{api_base}/{country}/rss/customerreviews/page={N}/id={app_id}/sortby=mostrecent/json`,
newest first, 50 per page, at most 10 pages. The spec URL is the app's page
(`https://apps.apple.com/ru/app/name/id123456789`) or the feed URL itself.
Options: `app_id`, `country` (default from the URL, else "ru"), `api_base` (default
https://itunes.apple.com), `max_pages`. The feed has no developer replies.
"""

from __future__ import annotations

import re
from typing import Any

from scrapers.base import Page, Source
from scrapers.fetch import FetchResponse
from scrapers.parsing import clean_text, dig, parse_iso
from scrapers.records import ScrapedItem

_PUBLIC_HOSTS = ("apps.apple.com", "itunes.apple.com")
_APP_ID = re.compile(r"/id=?(\d+)")
_COUNTRY = re.compile(r"^/([a-z]{2})(?:/|$)")
_LAST_PAGE = 10


def _label(entry: dict[str, Any], key: str) -> str | None:
    value = entry.get(key)
    if isinstance(value, list):  # some variants give text and html content side by side
        value = next((v for v in value if _type(v) != "html"), value[0] if value else None)
    if isinstance(value, dict):
        label = value.get("label")
        return str(label) if label is not None else None
    return None


def _type(value: Any) -> Any:
    return dig(value, "attributes", "type")


class AppStoreSource(Source):
    """Reviews of one iOS app in one country's App Store."""

    kind = "appstore"
    url_patterns = (r"^apps\.apple\.com/.*id\d+", r"^itunes\.apple\.com/.*id=?\d+")
    max_pages = _LAST_PAGE

    @property
    def app_id(self) -> str:
        explicit = self.option("app_id")
        if explicit:
            return explicit
        match = _APP_ID.search(self.spec.url)
        if not match:
            raise self.misconfigured(
                "no app id in the URL (expected …/id123456789); set option app_id"
            )
        return match.group(1)

    def check(self) -> None:
        super().check()
        _ = self.app_id

    @property
    def country(self) -> str:
        path = re.sub(r"^[a-z]+://[^/]+", "", self.spec.url.lower())
        match = _COUNTRY.search(path)
        return self.option("country", match.group(1) if match else "ru") or "ru"

    def _reviews_page(self) -> str | None:
        match = _APP_ID.search(self.spec.url)
        app = self.option("app_id") or (match.group(1) if match else None)
        return f"https://apps.apple.com/{self.country}/app/id{app}?see-all=reviews" if app else None

    def feed_url(self, page: int) -> str:
        base = self.base_url("https://itunes.apple.com", _PUBLIC_HOSTS)
        return (
            f"{base}/{self.country}/rss/customerreviews/page={page}/id={self.app_id}"
            "/sortby=mostrecent/json"
        )

    async def fetch_page(
        self, token: str | None, *, etag: str | None, last_modified: str | None
    ) -> FetchResponse:
        return await self.fetcher.get(
            self.feed_url(int(token or 1)), etag=etag, last_modified=last_modified, source=self.kind
        )

    def parse(self, response: FetchResponse) -> Page:
        data = response.json()
        feed = data.get("feed") if isinstance(data, dict) else None
        if not isinstance(feed, dict):
            raise self.error("no 'feed' object in the answer (layout changed?)", response.url)
        entries = feed.get("entry") or []
        if isinstance(entries, dict):  # a single review comes as an object
            entries = [entries]
        if not isinstance(entries, list):
            raise self.error("'feed.entry' is neither a list nor an object", response.url)
        if not all(isinstance(e, dict) for e in entries):
            raise self.error("'feed.entry' holds something other than objects", response.url)
        items = [self._item(e, response.url) for e in entries if "im:name" not in e]
        page = _page_number(response.url)
        more = bool(items) and page is not None and page < _LAST_PAGE
        return Page(items, str(page + 1) if more and page is not None else None)

    def _item(self, entry: dict[str, Any], url: str) -> ScrapedItem:
        review_id = _label(entry, "id")
        rating = _label(entry, "im:rating")
        updated = _label(entry, "updated")
        if not review_id or not rating or not updated:
            raise self.error("review entry without id, im:rating or updated", url)
        if rating not in ("1", "2", "3", "4", "5"):
            raise self.error(f"review {review_id}: im:rating {rating!r} is not 1..5", url)
        author = entry.get("author", {})
        href = dig(entry, "link", "attributes", "href")
        extra = {
            key: value
            for key, value in (
                ("version", _label(entry, "im:version")),
                ("vote_sum", _label(entry, "im:voteSum")),
                ("vote_count", _label(entry, "im:voteCount")),
                ("author_uri", _label(author, "uri") if isinstance(author, dict) else None),
            )
            if value is not None
        }
        return ScrapedItem(
            external_id=review_id,
            url=href if isinstance(href, str) else self._reviews_page(),
            text=clean_text(_label(entry, "content") or ""),
            author=_label(author, "name") if isinstance(author, dict) else None,
            rating=float(int(rating)),
            title=_label(entry, "title"),
            published_at=parse_iso(updated),
            extra=extra,
        )


def _page_number(url: str) -> int | None:
    match = re.search(r"/page=(\d+)", url)
    return int(match.group(1)) if match else 1
