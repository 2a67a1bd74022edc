"""Trustpilot company reviews.

URL: `trustpilot.com/review/<domain>` (any language subdomain). By default the review pages
(`?sort=recency&page=N`, 20 a page), read from their embedded `__NEXT_DATA__` JSON; Trustpilot
answers heavy polling with a Cloudflare/DataDome wall (AntiBotPage). With options `api_key` and
`business_unit_id` the public API `/v1/business-units/<id>/reviews` is used instead (100 a page).
Options: `api_base`, `max_pages`.
"""

from __future__ import annotations

import re
from typing import ClassVar

from scrapers.base import Page, Source
from scrapers.fetch import FetchResponse
from scrapers.sources._reviews_common import rebase
from scrapers.sources._trustpilot_parse import parse_page

SITE = "https://www.trustpilot.com"
PUBLIC_API = "https://api.trustpilot.com"
_DOMAIN = re.compile(r"/review/([^/?#]+)")


class TrustpilotSource(Source):
    """Reviews of one company on Trustpilot."""

    kind: ClassVar[str] = "trustpilot"
    title: ClassVar[str] = "Trustpilot"
    url_patterns: ClassVar[tuple[str, ...]] = (r"^([a-z]+\.)?trustpilot\.com/review/[^/?#]+",)
    max_pages: ClassVar[int] = 10
    lists_everything: ClassVar[bool] = True

    def domain(self) -> str:
        match = _DOMAIN.search(self.spec.url)
        if match is None:
            raise self.misconfigured("no /review/<domain> in the URL")
        return match[1]

    def check(self) -> None:
        super().check()
        self.domain()

    def requests_to(self) -> str:
        # The API where a key and business unit are given, the review pages otherwise.
        api = self.option("api_key") and self.option("business_unit_id")
        return self.base_url(PUBLIC_API if api else SITE, ("trustpilot.com",))

    async def fetch_page(
        self, token: str | None, *, etag: str | None, last_modified: str | None
    ) -> FetchResponse:
        key, unit = self.option("api_key"), self.option("business_unit_id")
        base = self.requests_to()
        if key and unit:
            if token:
                extra = {} if "apikey=" in token else {"apikey": key}
                return await self.fetcher.get(rebase(token, base), params=extra, source=self.kind)
            params = {"apikey": key, "orderBy": "createdat.desc", "perPage": "100", "page": "1"}
            url = f"{base}/v1/business-units/{unit}/reviews"
            return await self.fetcher.get(url, params=params, source=self.kind)
        if token:
            return await self.fetcher.get(rebase(token, base), source=self.kind)
        url = f"{base}/review/{self.domain()}"
        return await self.fetcher.get(url, params={"sort": "recency"}, source=self.kind)

    def parse(self, response: FetchResponse) -> Page:
        return parse_page(response.text(), url=response.url).to_page()
