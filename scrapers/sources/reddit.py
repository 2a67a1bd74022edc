"""Reddit search through the public JSON listing (`/search.json`, newest first).

The spec URL is a Reddit search or subreddit URL: `https://www.reddit.com/search/?q=brand`,
`https://www.reddit.com/r/moscow/search/?q=brand` (restricted to the subreddit) or
`https://www.reddit.com/r/moscow/` (the brand's aliases searched inside it).
Options: `query` (else the URL's q, else the aliases OR-ed), `api_base` (default
https://www.reddit.com), `max_pages`. Posts are kept only when they name an alias (Reddit's
search is fuzzy). raw_json=1 keeps text unescaped. Comments are not searched.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scrapers.base import Page, Source
from scrapers.entries import read_entries
from scrapers.errors import NotReviewsPage
from scrapers.fetch import FetchResponse
from scrapers.parsing import clean_text, from_epoch, text_or_none
from scrapers.records import ScrapedItem

_PUBLIC = "https://www.reddit.com"
_PUBLIC_DOMAINS = ("reddit.com",)
_SUBREDDIT = re.compile(r"^/r/([A-Za-z0-9_]+)")


class RedditSource(Source):
    """Reddit posts mentioning the brand."""

    kind = "reddit"
    request_base = (_PUBLIC, _PUBLIC_DOMAINS)
    title = "Reddit"
    filters_by_alias = True
    max_pages = 5
    url_patterns = (r"^((www|old|new)\.)?reddit\.com/",)

    def check(self) -> None:
        super().check()
        _ = self.query

    @property
    def query(self) -> str:
        explicit = self.option("query")
        if explicit:
            return explicit
        from_url = parse_qs(urlsplit(self.spec.url).query).get("q")
        if from_url and from_url[0].strip():
            return from_url[0]
        if self.spec.aliases:
            return " OR ".join(f'"{alias}"' for alias in self.spec.aliases)
        raise self.misconfigured("no query (add ?q= or brand aliases)")

    @property
    def subreddit(self) -> str | None:
        match = _SUBREDDIT.match(urlsplit(self.spec.url).path)
        return match.group(1) if match else None

    async def fetch_page(
        self, token: str | None, *, etag: str | None, last_modified: str | None
    ) -> FetchResponse:
        base = self.requests_to()
        sub = self.subreddit
        params = {
            "q": self.query,
            "sort": "new",
            "t": "all",
            "limit": "100",
            "raw_json": "1",
            "type": "link",
        }
        if sub:
            params["restrict_sr"] = "1"
        if token:
            params["after"] = token
        path = f"/r/{sub}/search.json" if sub else "/search.json"
        return await self.fetcher.get(
            base + path,
            params=params,
            headers={"Accept": "application/json"},
            etag=etag,
            last_modified=last_modified,
            source=self.kind,
        )

    def parse(self, response: FetchResponse) -> Page:
        listing = response.json()
        if isinstance(listing, dict) and "error" in listing:
            raise self.error(
                f"Reddit answered error {listing.get('error')} {listing.get('message', '')} "
                "instead of a Listing",
                response.url,
            )
        if not isinstance(listing, dict) or ("kind" not in listing and "data" not in listing):
            raise NotReviewsPage("not a Reddit listing (no kind/data)", source=self.kind)
        data = listing.get("data")
        if not isinstance(data, dict) or not isinstance(data.get("children"), list):
            raise self.error(
                "no Listing data.children in the answer (layout changed?)", response.url
            )
        posts = [
            child
            for child in data["children"]
            if isinstance(child, dict) and child.get("kind") == "t3"
        ]
        read = read_entries(
            posts, lambda child: self._item(child["data"], response.url), what="post"
        )
        return Page(read.items, text_or_none(data.get("after")), skipped=tuple(read.skipped))

    def _item(self, post: dict[str, Any], url: str) -> ScrapedItem:
        post_id = text_or_none(post.get("name")) or (
            f"t3_{post['id']}" if text_or_none(post.get("id")) else None
        )
        created = post.get("created_utc")
        if not post_id or created is None:
            raise self.error("post without id or created_utc", url)
        permalink = str(post.get("permalink") or "").split("?", 1)[0]
        title = clean_text(str(post.get("title") or "")) or None
        selftext = clean_text(str(post.get("selftext") or ""))
        extra = {
            key: str(post[field])
            for key, field in (
                ("subreddit", "subreddit"),
                ("score", "score"),
                ("comments", "num_comments"),
                ("link", "url"),
            )
            if post.get(field) is not None
        }
        return ScrapedItem(
            external_id=post_id,
            url=_PUBLIC + permalink if permalink else text_or_none(post.get("url")),
            text=selftext or title or "",
            author=text_or_none(post.get("author")),
            title=title,
            published_at=from_epoch(created),
            extra=extra,
        )
