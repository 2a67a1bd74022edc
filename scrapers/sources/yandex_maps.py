"""Yandex Maps organization reviews.

URL: `yandex.ru/maps/org/<slug>/<orgId>/[reviews/]` (also yandex.com/.by/.kz). The source loads
the reviews page for its session tokens, then pages `maps/api/business/fetchReviews` newest first
(`ranking=by_time`, 50 a page) the way the page's own script does, signing each request.
Options: `api_base` (tests, mirrors), `max_pages`. A captcha page (SmartCaptcha, frequent from
data-centre networks) is reported as AntiBotPage.
"""

from __future__ import annotations

import json
import re
from typing import ClassVar

from scrapers.base import Page, Source
from scrapers.fetch import Fetcher, FetchResponse
from scrapers.records import SourceSpec
from scrapers.sources._reviews_common import layout_missing
from scrapers.sources._yandex_parse import (
    PageTokens,
    page_tokens,
    parse_html,
    parse_json,
    signature,
)

PUBLIC = "https://yandex.ru"
DOMAINS = ("yandex.ru", "yandex.com", "yandex.by", "yandex.kz", "yandex.uz", "yandex.com.tr")
_ORG = re.compile(r"/maps/org/([^/?#]+)/(\d+)")


class YandexMapsSource(Source):
    """Reviews of one organization on Yandex Maps."""

    kind: ClassVar[str] = "yandex_maps"
    url_patterns: ClassVar[tuple[str, ...]] = (r"^(www\.)?yandex\.[a-z.]+/maps/org/[^/]+/\d+",)
    max_pages: ClassVar[int] = 10

    def __init__(self, spec: SourceSpec, fetcher: Fetcher | None = None) -> None:
        super().__init__(spec, fetcher)
        self._tokens = PageTokens(None, None, None)

    def check(self) -> None:
        super().check()
        self.org()

    def org(self) -> tuple[str, str]:
        match = _ORG.search(self.spec.url)
        if match is None:
            raise self.misconfigured("no /maps/org/<slug>/<id> in the URL")
        return match[1], match[2]

    def link(self) -> str:
        match = _ORG.search(self.spec.url)
        if match is None:  # `otklik parse` on a saved file without --source-url
            return f"{PUBLIC}/maps/"
        return f"{PUBLIC}/maps/org/{match[1]}/{match[2]}/reviews/"

    def _base(self) -> str:
        return self.base_url(PUBLIC, DOMAINS)

    async def fetch_page(
        self, token: str | None, *, etag: str | None, last_modified: str | None
    ) -> FetchResponse:
        slug, org_id = self.org()
        if token is None:
            html = await self.fetcher.get(
                f"{self._base()}/maps/org/{slug}/{org_id}/reviews/", source=self.kind
            )
            text = html.text()
            self._tokens = page_tokens(text)
            if not self._tokens.csrf_token:
                raise layout_missing(
                    text, "no csrfToken on the organization page", url=html.url, source=self.kind
                )
        response = await self._fetch_reviews(org_id, int(token or 1))
        fresh = _renewed_token(response)
        if fresh:
            # The API answers a stale token with a fresh one; ask once more with it.
            self._tokens = PageTokens(fresh, self._tokens.session_id, self._tokens.req_id)
            response = await self._fetch_reviews(org_id, int(token or 1))
        return response

    async def _fetch_reviews(self, org_id: str, page: int) -> FetchResponse:
        tokens = self._tokens
        params = {
            "ajax": "1",
            "businessId": org_id,
            "csrfToken": tokens.csrf_token or "",
            "page": str(page),
            "pageSize": "50",
            "ranking": "by_time",
        }
        if tokens.req_id:
            params["reqId"] = tokens.req_id
        if tokens.session_id:
            params["sessionId"] = tokens.session_id
        params["s"] = signature(params)
        return await self.fetcher.get(
            f"{self._base()}/maps/api/business/fetchReviews",
            params=params,
            headers={"Referer": self.link(), "Accept": "application/json"},
            source=self.kind,
        )

    def parse(self, response: FetchResponse) -> Page:
        text = response.text()
        if text.lstrip()[:1] == "{":
            page = parse_json(text, url=response.url, link=self.link())
            if "csrfToken" in page.extra:
                raise self.error("the reviews API keeps refusing the session token", response.url)
        else:
            page = parse_html(text, url=response.url, link=self.link())
        return Page(page.items, page.next_url)


def _renewed_token(response: FetchResponse) -> str | None:
    try:
        data = json.loads(response.text())
    except ValueError:
        return None
    if isinstance(data, dict) and "data" not in data and isinstance(data.get("csrfToken"), str):
        return data["csrfToken"]
    return None
