"""Hacker News stories and comments through the Algolia search API, newest first.

Endpoint: `{api_base}/api/v1/search_by_date?query=…&tags=(story,comment)&hitsPerPage=100&page=N`.
The spec URL is an hn.algolia.com search (`https://hn.algolia.com/?q=brand`) or any HN URL, in
which case the aliases are the query (all words optional, results filtered by alias locally).
Options: `query`, `tags` (default "(story,comment)"), `api_base` (default
https://hn.algolia.com), `max_pages`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from scrapers.base import Page, Source
from scrapers.entries import read_entries
from scrapers.fetch import FetchResponse
from scrapers.parsing import clean_text, from_epoch, html_to_text, parse_iso, text_or_none
from scrapers.records import ScrapedItem

_PUBLIC = "https://hn.algolia.com"
_PUBLIC_HOSTS = ("hn.algolia.com", "news.ycombinator.com")


class HackerNewsSource(Source):
    """Hacker News items mentioning the brand."""

    kind = "hackernews"
    request_base = (_PUBLIC, _PUBLIC_HOSTS)
    title = "Hacker News"
    filters_by_alias = True
    max_pages = 5
    url_patterns = (r"^hn\.algolia\.com/", r"^news\.ycombinator\.com/")

    def check(self) -> None:
        super().check()
        self._query()

    def _query(self) -> tuple[str, bool]:
        """The query, and whether its words are optional (aliases OR-ed)."""
        explicit = self.option("query")
        if explicit:
            return explicit, False
        params = parse_qs(urlsplit(self.spec.url).query)
        from_url = (params.get("q") or params.get("query") or [""])[0].strip()
        if from_url:
            return from_url, False
        if self.spec.aliases:
            return " ".join(self.spec.aliases), len(self.spec.aliases) > 1
        raise self.misconfigured("no query (add ?q= or aliases)")

    async def fetch_page(
        self, token: str | None, *, etag: str | None, last_modified: str | None
    ) -> FetchResponse:
        query, optional = self._query()
        params = {
            "query": query,
            "tags": self.option("tags", "(story,comment)") or "(story,comment)",
            "hitsPerPage": "100",
            "page": token or "0",
        }
        if optional:
            params["optionalWords"] = query
        return await self.fetcher.get(
            self.requests_to() + "/api/v1/search_by_date",
            params=params,
            etag=etag,
            last_modified=last_modified,
            source=self.kind,
        )

    def parse(self, response: FetchResponse) -> Page:
        data = response.json()
        hits = data.get("hits") if isinstance(data, dict) else None
        if not isinstance(hits, list):
            raise self.error("no 'hits' list in the answer (layout changed?)", response.url)
        read = read_entries(hits, lambda hit: self._item(hit, response.url), what="hit")
        page, pages = data.get("page"), data.get("nbPages")
        more = isinstance(page, int) and isinstance(pages, int) and page + 1 < pages and read.items
        return Page(read.items, str(page + 1) if more else None, skipped=tuple(read.skipped))

    def _item(self, hit: Any, url: str) -> ScrapedItem:
        if not isinstance(hit, dict):
            raise self.error("hit is not an object", url)
        object_id = hit.get("objectID")
        if not isinstance(object_id, str | int) or not str(object_id):
            raise self.error("hit without objectID", url)
        if hit.get("created_at_i") is not None:
            published = from_epoch(hit["created_at_i"])
        elif hit.get("created_at"):
            published = parse_iso(str(hit["created_at"]))
        else:
            raise self.error(f"hit {object_id} without created_at", url)
        title = clean_text(str(hit.get("title") or hit.get("story_title") or "")) or None
        body = html_to_text(
            text_or_none(hit.get("comment_text")) or text_or_none(hit.get("story_text"))
        )
        tags = hit.get("_tags")
        if not isinstance(tags, list):
            tags = []
        extra = {
            key: str(hit[field])
            for key, field in (
                ("points", "points"),
                ("comments", "num_comments"),
                ("story_id", "story_id"),
            )
            if hit.get(field) is not None
        }
        link = text_or_none(hit.get("url")) or text_or_none(hit.get("story_url"))
        if link:
            extra["link"] = str(link)
        extra["type"] = "comment" if "comment" in tags else "story"
        return ScrapedItem(
            external_id=str(object_id),
            url=f"https://news.ycombinator.com/item?id={object_id}",
            text=body or title or "",
            author=text_or_none(hit.get("author")),
            title=title,
            published_at=published,
            extra=extra,
        )
