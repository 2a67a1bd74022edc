"""2GIS branch reviews through the public reviews API that the 2gis.ru pages use.

URL: `2gis.ru/<city>/firm/<branchId>` (any 2GIS country domain). Newest first
(`sort_by=date_created`), 50 per page, paging by the answer's `meta.next_link`. Reviews written on
Flamp come through the same API (provider flamp) and keep their own flamp.ru link.

No key needs to be configured: the public key the site's own scripts send
(`__customcfg.reviewApiKey` in the firm page) is read from the page, kept for a day and read
again when the API refuses it. Options: `key` (overrides the page's key), `api_base`, `site_base`
(where the firm page is read, default the API base when `api_base` is set), `locale` (default
ru_RU), `max_pages`.
"""

from __future__ import annotations

import json
import re
from typing import ClassVar
from urllib.parse import urlsplit

from scrapers.base import Page, Source
from scrapers.errors import FetchError
from scrapers.fetch import FetchResponse
from scrapers.sources._reviews_common import layout_missing, rebase
from scrapers.sources._twogis_api import REVIEW_FIELDS, parse_reviews_answer

PUBLIC_API = "https://public-api.reviews.2gis.com"
PUBLIC_SITE = "https://2gis.ru"
SITE_DOMAINS = ("2gis.ru", "2gis.kz", "2gis.kg", "2gis.uz", "2gis.ae", "2gis.com", "2gis.by")
KEY_TTL = 24 * 3600.0
_BRANCH = re.compile(r"/firm/(?:[^/?#]*?-)?(\d{6,})")
# `var __customcfg = JSON.parse('{…"reviewApiKey":"…"…}')` or a plain object literal: the quotes
# may come escaped inside the JSON string.
_PAGE_KEY = re.compile(r'\\?"reviewApiKey\\?"\s*:\s*\\?"([0-9A-Za-z-]{16,64})\\?"')


def reviews_key(page_text: str) -> str | None:
    """The public reviews-API key a 2gis.ru page gives its scripts, or None."""
    match = _PAGE_KEY.search(page_text)
    return match[1] if match else None


class TwoGisSource(Source):
    """Reviews of one 2GIS branch (firm card)."""

    kind: ClassVar[str] = "twogis"
    title: ClassVar[str] = "2GIS"
    url_patterns: ClassVar[tuple[str, ...]] = (r"^([a-z0-9-]+\.)?2gis\.[a-z]+/([^/]+/)?firm/\d+",)
    max_pages: ClassVar[int] = 10
    lists_everything: ClassVar[bool] = True
    # Flamp shows only its own reviews; 2GIS shows all.
    provider: ClassVar[str | None] = None
    site_domains: ClassVar[tuple[str, ...]] = SITE_DOMAINS
    public_site: ClassVar[str] = PUBLIC_SITE

    _key_origin: str | None = None

    def requests_to(self) -> str:
        # The reviews API, for 2GIS and Flamp pages alike (the page itself only for its key).
        return self.base_url(PUBLIC_API, self.site_domains)

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

    def _site_page(self) -> str:
        """The firm page the key is read from, on the public site (or the test/mirror base)."""
        base = self.option("site_base") or self.base_url(self.public_site, self.site_domains)
        path = urlsplit(self.spec.url).path or f"/firm/{self.branch_id()}"
        return base.rstrip("/") + path

    async def api_key(self, *, fresh: bool = False) -> str:
        explicit = self.option("key")
        if explicit:
            self._key_origin = "key from the settings"
            return explicit
        slot = f"2gis-reviews-key:{urlsplit(self._site_page()).netloc}"
        cached = None if fresh else self.fetcher.tokens.get(slot)
        if isinstance(cached, str):
            self._key_origin = "key read from the site's page"
            return cached
        page = await self.fetcher.get(self._site_page(), source=self.kind)
        text = page.text()
        key = reviews_key(text)
        if key is None:
            raise layout_missing(
                text,
                "no reviews key (__customcfg.reviewApiKey) in the page's scripts; set option key",
                url=page.url,
                source=self.kind,
            )
        self.fetcher.tokens.put(slot, key, ttl=KEY_TTL)
        self._key_origin = "key read from the site's page"
        return key

    async def fetch_page(
        self, token: str | None, *, etag: str | None, last_modified: str | None
    ) -> FetchResponse:
        key = await self.api_key()
        explicit = bool(self.option("key"))
        try:
            response = await self._get(token, key)
        except FetchError as exc:
            if explicit or not exc.refused:
                raise
        else:
            if explicit or not _key_rejected(response):
                return response
        # The site's key changed since it was read: read the page again, once.
        return await self._get(token, await self.api_key(fresh=True))

    async def _get(self, token: str | None, key: str) -> FetchResponse:
        base = self.requests_to()
        if token is not None:
            url = rebase(token, base)
            url = re.sub(r"([?&])key=[^&]*", rf"\1key={key}", url)
            params = {} if "key=" in url else {"key": key}
            return await self.fetcher.get(url, params=params, source=self.kind)
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
        if self.provider is not None:
            # The API's count covers every provider; Flamp keeps only its own reviews.
            page.site_total = None
        if self._key_origin:
            page.path = f"API, {self._key_origin}"
        return page.to_page()


def _key_rejected(response: FetchResponse) -> bool:
    """An answer with meta.code 401/403: the API no longer takes this key."""
    try:
        data = json.loads(response.text())
    except ValueError:
        return False
    meta = data.get("meta") if isinstance(data, dict) else None
    return isinstance(meta, dict) and meta.get("code") in (401, 403)
