"""App Store customer reviews from Apple's public per-country RSS feed.

URL: `{api_base}/{country}/rss/customerreviews/page={N}/id={app_id}/sortby=mostrecent/json`,
newest first, 50 per page, at most 10 pages. The spec URL is the app's page
(`https://apps.apple.com/ru/app/name/id123456789`) or the feed URL itself.
Options: `app_id`, `country` (default from the URL, else "ru"), `api_base` (default
https://itunes.apple.com), `max_pages`. The feed has no developer replies.

`parse` reads both forms of the feed: JSON (`feed.entry[]` of label objects; the feeds of
2020–21 have no per-entry `updated`, so those reviews come undated) and Atom/XML (`<entry>` with
`<updated>`, `im:` elements, a text and an html `<content>`), plus a bare list of JSON entries
as exported by other tools. Apple's plain-text answer past the last allowed page ("page depth
is limited to 10") is an empty last page.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from scrapers.base import Page, Source
from scrapers.entries import SkippedEntry, read_entries
from scrapers.errors import NotReviewsPage
from scrapers.fetch import FetchResponse
from scrapers.parsing import clean_text, dig, parse_iso
from scrapers.records import ScrapedItem

_PUBLIC_HOSTS = ("apps.apple.com", "itunes.apple.com")
_APP_ID = re.compile(r"/id=?(\d+)")
_COUNTRY = re.compile(r"^/([a-z]{2})(?:/|$)")
_LAST_PAGE = 10
_ATOM = "{http://www.w3.org/2005/Atom}"
_IM = "{http://itunes.apple.com/rss}"
_DEPTH_LIMIT = re.compile(r"page depth is limited", re.IGNORECASE)
_HTML = re.compile(rb"<html|<!doctype html", re.IGNORECASE)


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
    request_base = ("https://itunes.apple.com", _PUBLIC_HOSTS)
    title = "App Store"
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
        base = self.requests_to()
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
        head = response.body.lstrip()[:1]
        if head == b"<" and _HTML.search(response.body[:2048]):
            raise NotReviewsPage(
                "an HTML page, not the App Store reviews feed (JSON or Atom)", source=self.kind
            )
        if head == b"<":
            return self._parse_atom(response)
        if head not in (b"{", b"["):
            if _DEPTH_LIMIT.search(response.text()[:500]):
                return Page([])  # Apple serves no page past the tenth
            raise self.error("the answer is neither the JSON nor the Atom feed", response.url)
        data = response.json()
        if isinstance(data, list):  # entries exported without their feed envelope
            entries: Any = data
        else:
            feed = data.get("feed") if isinstance(data, dict) else None
            if not isinstance(feed, dict):
                raise self.error("no 'feed' object in the answer (layout changed?)", response.url)
            entries = feed.get("entry") or []
        if isinstance(entries, dict):  # a single review comes as an object
            entries = [entries]
        if not isinstance(entries, list):
            raise self.error("'feed.entry' is neither a list nor an object", response.url)
        read = read_entries(entries, lambda entry: self._item(entry, response.url))
        return self._page(read.items, read.skipped, response.url)

    def _page(self, items: list[ScrapedItem], skipped: list[SkippedEntry], url: str) -> Page:
        page = _page_number(url)
        following = str(page + 1) if items and page is not None and page < _LAST_PAGE else None
        return Page(items, following, skipped=tuple(skipped))

    def _item(self, entry: Any, url: str) -> ScrapedItem | None:
        if not isinstance(entry, dict):
            raise self.error("feed entry is not an object", url)
        if "im:name" in entry:  # the app's own metadata, first on old feeds' page 1
            return None
        author = entry.get("author", {})
        href = dig(entry, "link", "attributes", "href")
        return self._review(
            review_id=_label(entry, "id"),
            rating=_label(entry, "im:rating"),
            updated=_label(entry, "updated"),
            title=_label(entry, "title"),
            content=_label(entry, "content"),
            author=_label(author, "name") if isinstance(author, dict) else None,
            href=href if isinstance(href, str) else None,
            extra={
                "version": _label(entry, "im:version"),
                "vote_sum": _label(entry, "im:voteSum"),
                "vote_count": _label(entry, "im:voteCount"),
                "author_uri": _label(author, "uri") if isinstance(author, dict) else None,
            },
            url=url,
        )

    def _parse_atom(self, response: FetchResponse) -> Page:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
        try:
            root = etree.fromstring(response.body, parser=parser)
        except etree.XMLSyntaxError as exc:
            raise self.error(f"unreadable Atom feed ({exc})", response.url) from exc
        if root.tag != f"{_ATOM}feed":
            raise self.error("not an Atom feed (layout changed?)", response.url)
        read = read_entries(
            root.findall(f"{_ATOM}entry"), lambda entry: self._atom_item(entry, response.url)
        )
        return self._page(read.items, read.skipped, response.url)

    def _atom_item(self, entry: Any, url: str) -> ScrapedItem | None:
        if entry.find(f"{_IM}name") is not None:
            return None

        def text(path: str) -> str | None:
            node = entry.find(path)
            return node.text if node is not None and node.text is not None else None

        content = next(
            (c.text for c in entry.findall(f"{_ATOM}content") if c.get("type") != "html"), None
        )
        link = entry.find(f"{_ATOM}link")
        return self._review(
            review_id=text(f"{_ATOM}id"),
            rating=text(f"{_IM}rating"),
            updated=text(f"{_ATOM}updated"),
            title=text(f"{_ATOM}title"),
            content=content,
            author=text(f"{_ATOM}author/{_ATOM}name"),
            href=link.get("href") if link is not None else None,
            extra={
                "version": text(f"{_IM}version"),
                "vote_sum": text(f"{_IM}voteSum"),
                "vote_count": text(f"{_IM}voteCount"),
                "author_uri": text(f"{_ATOM}author/{_ATOM}uri"),
            },
            url=url,
        )

    def _review(
        self,
        *,
        review_id: str | None,
        rating: str | None,
        updated: str | None,
        title: str | None,
        content: str | None,
        author: str | None,
        href: str | None,
        extra: dict[str, str | None],
        url: str,
    ) -> ScrapedItem:
        if not review_id or not rating:
            raise self.error("review entry without id or im:rating", url)
        if rating not in ("1", "2", "3", "4", "5"):
            raise self.error(f"review {review_id}: im:rating {rating!r} is not 1..5", url)
        return ScrapedItem(
            external_id=review_id,
            url=href or self._reviews_page(),
            text=clean_text(content or ""),
            author=author,
            rating=float(int(rating)),
            title=title,
            # The JSON feeds of 2020-21 give no date per review; the cursor tracks those by id.
            published_at=parse_iso(updated) if updated else None,
            extra={key: value for key, value in extra.items() if value is not None},
        )


def _page_number(url: str) -> int | None:
    match = re.search(r"/page=(\d+)", url)
    return int(match.group(1)) if match else 1
