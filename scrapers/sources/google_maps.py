"""Google Maps place reviews through the official Places API (needs the owner's API key).

URL: `google.com/maps/place/<name>/...`. Options: `api_key` (required), `place_id` (else taken
from the URL's `query_place_id` / `place_id:` or found by the place name with Text Search),
`places_api` = new (default: Places API (New), `places.googleapis.com/v1/places/<id>`) or legacy
(`maps/api/place/details/json` with `reviews_sort=newest`), `language` (default ru), `api_base`.
Google returns at most 5 reviews per place (New: the "most relevant" five; legacy: the newest
five) and never the owner's replies; use google_business for every review.
"""

from __future__ import annotations

import json
import re
from typing import ClassVar
from urllib.parse import parse_qs, unquote_plus, urlsplit

from scrapers.base import Page, Source
from scrapers.fetch import FetchResponse
from scrapers.sources._google_parse import parse_places

PLACES_NEW = "https://places.googleapis.com"
PLACES_LEGACY = "https://maps.googleapis.com"
DETAILS_MASK = "id,displayName,rating,userRatingCount,googleMapsUri,reviews"
_NAME = re.compile(r"/maps/place/([^/@?#]+)")
_PLACE_ID = re.compile(r"place_id[:=]([A-Za-z0-9_-]{10,})")


class GoogleMapsSource(Source):
    """The (at most 5) reviews that the Places API gives for one place."""

    kind: ClassVar[str] = "google_maps"
    title: ClassVar[str] = "Google Maps"
    url_patterns: ClassVar[tuple[str, ...]] = (
        r"^(www\.)?google\.[a-z.]+/maps/place/",
        r"^maps\.google\.[a-z.]+/.*(place_id|cid=)",
    )
    max_pages: ClassVar[int] = 1
    required_options: ClassVar[dict[str, str]] = {
        "api_key": "a Google Cloud API key with Places API enabled"
    }

    def _key(self) -> str:
        return self.required_option("api_key")

    def _legacy(self) -> bool:
        return (self.option("places_api", "new") or "new").lower() == "legacy"

    def requests_to(self) -> str:
        public = PLACES_LEGACY if self._legacy() else PLACES_NEW
        return self.base_url(public, ("google.com", "google.ru"))

    async def place_id(self) -> str:
        explicit = self.option("place_id")
        if explicit:
            return explicit
        query = parse_qs(urlsplit(self.spec.url).query)
        if query.get("query_place_id"):
            return query["query_place_id"][0]
        match = _PLACE_ID.search(unquote_plus(self.spec.url))
        if match:
            return match[1]
        name = _NAME.search(self.spec.url)
        if name is None:
            raise self.misconfigured("no place name or place_id in the URL; set option place_id")
        return await self._search(unquote_plus(name[1]))

    async def _search(self, text: str) -> str:
        key = self._key()
        if self._legacy():
            response = await self.fetcher.get(
                f"{self.requests_to()}/maps/api/place/findplacefromtext/json",
                params={"input": text, "inputtype": "textquery", "fields": "place_id", "key": key},
                source=self.kind,
            )
            found = [c.get("place_id") for c in response.json().get("candidates") or []]
        else:
            response = await self.fetcher.post(
                f"{self.requests_to()}/v1/places:searchText",
                data=json.dumps({"textQuery": text}),
                headers={
                    "Content-Type": "application/json",
                    "X-Goog-Api-Key": key,
                    "X-Goog-FieldMask": "places.id",
                },
                source=self.kind,
            )
            found = [
                p.get("id") for p in response.json().get("places") or [] if isinstance(p, dict)
            ]
        if not found or not isinstance(found[0], str):
            raise self.error(f"Places search found no place named {text!r}; set option place_id")
        return found[0]

    async def fetch_page(
        self, token: str | None, *, etag: str | None, last_modified: str | None
    ) -> FetchResponse:
        key, place = self._key(), await self.place_id()
        language = self.option("language", "ru") or "ru"
        if self._legacy():
            params = {
                "place_id": place,
                "fields": "url,rating,user_ratings_total,reviews",
                "reviews_sort": "newest",
                "language": language,
                "key": key,
            }
            url = f"{self.requests_to()}/maps/api/place/details/json"
            return await self.fetcher.get(url, params=params, source=self.kind)
        return await self.fetcher.get(
            f"{self.requests_to()}/v1/places/{place}",
            params={"languageCode": language},
            headers={"X-Goog-Api-Key": key, "X-Goog-FieldMask": DETAILS_MASK},
            source=self.kind,
        )

    def parse(self, response: FetchResponse) -> Page:
        # The Places API has no more than its five: parse_places gives no next page.
        return parse_places(response.text(), url=response.url).to_page()
