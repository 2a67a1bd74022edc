"""Yandex Maps organization reviews.

URL: `yandex.ru/maps/org/<slug>/<orgId>/[reviews/]` (also yandex.com/.by/.kz). The source reads
the organization's reviews page once for the session tokens its own script uses (csrfToken,
sessionId, reqId from the page's embedded state), keeps them for half an hour (or until the API
refuses them), and pages `maps/api/business/fetchReviews` newest first (`ranking=by_time`, 50 a
page), signing each request the way the page's script does.

When that signed JSON fails (refused, changed, blocked), the newest reviews still arrive: the
ones the reviews page embeds in its state (or, failing that, its rendered cards), one page only.
`Page.path` says which way was used ("API" / "embedded state (fetchReviews failed: …)" / "HTML"),
so health and `otklik doctor` can say it. Options: `api_base` (tests, mirrors), `max_pages`.
A captcha page (SmartCaptcha, frequent from data-centre networks) is reported as AntiBotPage.
"""

from __future__ import annotations

import logging
import re
from typing import ClassVar

from scrapers.base import Page, Source
from scrapers.errors import RateLimited, SourceError
from scrapers.fetch import Fetcher, FetchResponse
from scrapers.records import SourceSpec
from scrapers.sources._reviews_common import ParsedPage, layout_missing
from scrapers.sources._yandex_parse import (
    PageTokens,
    has_reviews,
    page_tokens,
    parse_html,
    parse_json,
    signature,
)

log = logging.getLogger(__name__)

PUBLIC = "https://yandex.ru"
DOMAINS = ("yandex.ru", "yandex.com", "yandex.by", "yandex.kz", "yandex.uz", "yandex.com.tr")
TOKEN_TTL = 30 * 60.0
_ORG = re.compile(r"/maps/org/([^/?#]+)/(\d+)")


class YandexMapsSource(Source):
    """Reviews of one organization on Yandex Maps."""

    kind: ClassVar[str] = "yandex_maps"
    request_base: ClassVar[tuple[str, tuple[str, ...]] | None] = (PUBLIC, DOMAINS)
    title: ClassVar[str] = "Yandex Maps"
    url_patterns: ClassVar[tuple[str, ...]] = (r"^(www\.)?yandex\.[a-z.]+/maps/org/[^/]+/\d+",)
    max_pages: ClassVar[int] = 10
    lists_everything: ClassVar[bool] = True

    def __init__(self, spec: SourceSpec, fetcher: Fetcher | None = None) -> None:
        super().__init__(spec, fetcher)
        self._tokens = PageTokens(None, None, None)
        self._fallback_reason: str | None = None
        # The answer _api_page already read, so parse() does not decode it again.
        self._checked: tuple[FetchResponse, ParsedPage] | None = None

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

    def _slot(self) -> str:
        return f"yandex-maps-tokens:{self.requests_to()}"

    async def fetch_page(
        self, token: str | None, *, etag: str | None, last_modified: str | None
    ) -> FetchResponse:
        slug, org_id = self.org()
        if token is not None:
            return await self._api_page(org_id, int(token))
        self._fallback_reason = None
        cached = self.fetcher.tokens.get(self._slot())
        if isinstance(cached, PageTokens):
            self._tokens = cached
            try:
                return await self._api_page(org_id, 1)
            except RateLimited:
                raise
            except SourceError:
                # Stale session: read the page again for fresh tokens.
                self.fetcher.tokens.forget(self._slot())
        html = await self.fetcher.get(
            f"{self.requests_to()}/maps/org/{slug}/{org_id}/reviews/", source=self.kind
        )
        text = html.text()
        self._tokens = page_tokens(text)
        try:
            if not self._tokens.csrf_token:
                raise layout_missing(
                    text, "no csrfToken on the organization page", url=html.url, source=self.kind
                )
            response = await self._api_page(org_id, 1)
        except RateLimited:
            raise
        except SourceError as exc:
            if not has_reviews(text):
                raise
            self._fallback_reason = str(exc.args[0]) if exc.args else type(exc).__name__
            log.warning(
                "%s %s: fetchReviews failed (%s); reading the newest reviews from the page",
                self.kind,
                self.spec.url,
                self._fallback_reason,
            )
            return html
        self.fetcher.tokens.put(self._slot(), self._tokens, ttl=TOKEN_TTL)
        return response

    async def _api_page(self, org_id: str, page: int) -> FetchResponse:
        """One fetchReviews answer, checked to be a readable reviews answer."""
        response = await self._fetch_reviews(org_id, page)
        parsed = parse_json(response.text(), url=response.url, link=self.link())
        fresh = parsed.extra.get("csrfToken")
        if fresh:
            # The API answers a stale token with a fresh one; ask once more with it.
            self._tokens = PageTokens(fresh, self._tokens.session_id, self._tokens.req_id)
            self.fetcher.tokens.put(self._slot(), self._tokens, ttl=TOKEN_TTL)
            response = await self._fetch_reviews(org_id, page)
            parsed = parse_json(response.text(), url=response.url, link=self.link())
            if "csrfToken" in parsed.extra:
                raise self.error("the reviews API keeps refusing the session token", response.url)
        self._checked = (response, parsed)
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
            f"{self.requests_to()}/maps/api/business/fetchReviews",
            params=params,
            headers={"Referer": self.link(), "Accept": "application/json"},
            source=self.kind,
        )

    def parse(self, response: FetchResponse) -> Page:
        checked, self._checked = self._checked, None
        if checked is not None and checked[0] is response:
            return checked[1].to_page()
        text = response.text()
        if text.lstrip()[:1] == "{":
            page = parse_json(text, url=response.url, link=self.link())
            if "csrfToken" in page.extra:
                raise self.error("the reviews API keeps refusing the session token", response.url)
        else:
            page = parse_html(text, url=response.url, link=self.link())
            if self._fallback_reason:
                page.path = f"{page.path} (fetchReviews failed: {self._fallback_reason})"
        return page.to_page()
