"""Every review of a verified location through the Google Business Profile API (owner's OAuth).

URL: `mybusiness.googleapis.com/v4/accounts/<accountId>/locations/<locationId>` (or options
`account_id` and `location_id` with any URL). Options: `access_token` (required: an OAuth 2.0
token with the business.manage scope), `maps_url` (the link given with each review), `api_base`,
`max_pages`. 50 reviews a page, newest
updated first, paged by nextPageToken; includes the owner's replies. Replies are posted by
scrapers.publish.
"""

from __future__ import annotations

import re
from typing import ClassVar

from scrapers.base import Page, Source
from scrapers.errors import FetchError
from scrapers.fetch import FetchResponse
from scrapers.sources._google_parse import parse_business_reviews

PUBLIC_API = "https://mybusiness.googleapis.com"
_LOCATION = re.compile(r"accounts/([^/?#]+)/locations/([^/?#]+)")


class GoogleBusinessSource(Source):
    """Reviews of one Business Profile location."""

    kind: ClassVar[str] = "google_business"
    request_base: ClassVar[tuple[str, tuple[str, ...]] | None] = (PUBLIC_API, ("googleapis.com",))
    title: ClassVar[str] = "Google Business Profile"
    url_patterns: ClassVar[tuple[str, ...]] = (
        r"^mybusiness\.googleapis\.com/v4/accounts/[^/]+/locations/[^/?#]+",
    )
    max_pages: ClassVar[int] = 20
    lists_everything: ClassVar[bool] = True
    required_options: ClassVar[dict[str, str]] = {
        "access_token": "an OAuth token of the location's owner (scope business.manage)"
    }

    def location(self) -> tuple[str, str]:
        account, location = self.option("account_id"), self.option("location_id")
        if account and location:
            return account, location
        match = _LOCATION.search(self.spec.url)
        if match is None:
            raise self.misconfigured("no accounts/<id>/locations/<id> in the URL")
        return match[1], match[2]

    def check(self) -> None:
        super().check()
        self.location()

    def link(self) -> str | None:
        """The place's public Maps page (option maps_url); the API gives no review links."""
        return self.option("maps_url")

    async def fetch_page(
        self, token: str | None, *, etag: str | None, last_modified: str | None
    ) -> FetchResponse:
        access = self.required_option("access_token")
        account, location = self.location()
        base = self.requests_to()
        params = {"pageSize": "50", "orderBy": "updateTime desc"}
        if token:
            params["pageToken"] = token
        try:
            return await self.fetcher.get(
                f"{base}/v4/accounts/{account}/locations/{location}/reviews",
                params=params,
                headers={"Authorization": f"Bearer {access}"},
                source=self.kind,
            )
        except FetchError as exc:
            if exc.refused:
                raise FetchError(
                    f"Google refused the access token (expired or lacks business.manage): {exc}",
                    source=self.kind,
                    url=self.spec.url,
                ) from exc
            raise

    def parse(self, response: FetchResponse) -> Page:
        return parse_business_reviews(response.text(), url=response.url, link=self.link()).to_page()
