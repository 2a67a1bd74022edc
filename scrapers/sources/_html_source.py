"""Base of the sources that walk a review site's HTML list pages by their next-page links."""

from __future__ import annotations

from typing import ClassVar

from scrapers.base import Page, Source
from scrapers.fetch import FetchResponse
from scrapers.sources._reviews_common import ParsedPage, rebase


class HtmlReviewListSource(Source):
    """Fetches the pasted page, then each next-page link (moved onto `api_base` when set)."""

    request_base: ClassVar[tuple[str, tuple[str, ...]]]

    async def fetch_page(
        self, token: str | None, *, etag: str | None, last_modified: str | None
    ) -> FetchResponse:
        url = rebase(token or self.spec.url, self.requests_to())
        return await self.fetcher.get(url, etag=etag, last_modified=last_modified, source=self.kind)

    def parse(self, response: FetchResponse) -> Page:
        url = response.url
        if not url.startswith(("http://", "https://")):
            # A saved file: its links are relative to the site, not to the file.
            url = self.spec.url if self.spec.url.startswith("http") else f"{self.request_base[0]}/"
        return self.parse_text(response.text(), url=url).to_page()

    def parse_text(self, text: str, *, url: str) -> ParsedPage:
        raise NotImplementedError
