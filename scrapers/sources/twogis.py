"""2GIS branch reviews through the public reviews API that the 2gis.ru pages use.

URL: `2gis.ru/<city>/firm/<branchId>` (any 2GIS country domain). Options: `key` (required: the
public key the 2gis.ru page sends to public-api.reviews.2gis.com), `api_base`, `locale`
(default ru_RU), `max_pages`. Newest first (`sort_by=date_created`), 50 per page, paging by the
answer's `meta.next_link`. Reviews written on Flamp come through the same API (provider flamp).
"""

from __future__ import annotations

import re
from typing import ClassVar

from scrapers.base import Page, Source
from scrapers.fetch import FetchResponse
from scrapers.sources._reviews_common import rebase
from scrapers.sources._twogis_api import REVIEW_FIELDS, parse_reviews_answer

PUBLIC_API = "https://public-api.reviews.2gis.com"
SITE_DOMAINS = ("2gis.ru", "2gis.kz", "2gis.kg", "2gis.uz", "2gis.ae", "2gis.com", "2gis.by")
_BRANCH = re.compile(r"/firm/(?:[^/?#]*?-)?(\d{6,})")


class TwoGisSource(Source):
    """Reviews of one 2GIS branch (firm card)."""

    kind: ClassVar[str] = "twogis"
    url_patterns: ClassVar[tuple[str, ...]] = (r"^([a-z0-9-]+\.)?2gis\.[a-z]+/([^/]+/)?firm/\d+",)
    max_pages: ClassVar[int] = 10
    required_options: ClassVar[dict[str, str]] = {
        "key": "the public API key the 2gis.ru page uses for public-api.reviews.2gis.com"
    }
    # Flamp shows only its own reviews; 2GIS shows all.
    provider: ClassVar[str | None] = None
    site_domains: ClassVar[tuple[str, ...]] = SITE_DOMAINS

    def branch_id(self) -> str:
        explicit = self.option("branch_id")
        if explicit:
            return explicit
        match = _BRANCH.search(self.spec.url)
        if match is None:
            raise self.misconfigured("no branch id (/firm/<digits>) in the URL")
        return match[1]

    def check(self) -> None:
        super().check()
        self.branch_id()

    def link(self) -> str:
        return self.spec.url.split("?")[0].split("#")[0]

    async def fetch_page(
        self, token: str | None, *, etag: str | None, last_modified: str | None
    ) -> FetchResponse:
        key = self.required_option("key")
        base = self.base_url(PUBLIC_API, self.site_domains)
        if token is not None:
            params = {} if "key=" in token else {"key": key}
            return await self.fetcher.get(rebase(token, base), params=params, source=self.kind)
        params = {
            "limit": "50",
            "is_advertiser": "false",
            "fields": REVIEW_FIELDS,
            "without_my_first_review": "false",
            "rated": "true",
            "sort_by": "date_created",
            "key": key,
            "locale": self.option("locale", "ru_RU") or "ru_RU",
        }
        url = f"{base}/2.0/branches/{self.branch_id()}/reviews"
        return await self.fetcher.get(url, params=params, source=self.kind)

    def parse(self, response: FetchResponse) -> Page:
        page = parse_reviews_answer(
            response.text(),
            url=response.url,
            source=self.kind,
            link=self.link(),
            provider=self.provider,
        )
        return Page(page.items, page.next_url)
