"""Google Play reviews of one app, newest first, through the web client's batchexecute RPC.

Request (as the Play web app makes it today; a 2026 recording shows rpc `oCPfdb`):
POST `{api_base}/_/PlayStoreUi/data/batchexecute?hl=ru&gl=ru` with form field
`f.req=[[["oCPfdb","[null,[2,2,[COUNT,null,TOKEN],null,[null×9]],[\\"APP_ID\\",7]]",null,"generic"]]]`
(sort 2 = newest). The answer starts with `)]}'`, then a JSON envelope list (optionally
length-prefixed chunks); the `["wrb.fr","oCPfdb", PAYLOAD, ...]` entry (older answers: rpc
`UsvDTd`, read the same way) carries a JSON string whose [0] is the review list and whose [1][1]
(or [-2][-1]) is the next-page token.

A review is a positional array: [0] id (a plain UUID today, "gp:…" before), [1][0] author,
[2] stars, [4] text,
[5][0] epoch seconds, [6] thumbs-up, [7][1] developer reply, [7][2][0] its time, [10] app version.
`parse` also reads a saved app page (older layout) where the same arrays sit in an
`AF_initDataCallback({key:'ds:N', …, data:…})` block; the block is found by its content, not by N.

LIMITATION: the positions are undocumented and Google changes them without notice; a change
shows up as ParseError, never as zero reviews.
Options: `app_id` (else ?id= of the URL), `lang` / `country` (else hl / gl, default ru),
`page_size` (default 100), `api_base` (default https://play.google.com), `max_pages`.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from scrapers.base import Page, Source
from scrapers.entries import read_entries
from scrapers.errors import NotReviewsPage
from scrapers.fetch import FetchResponse
from scrapers.parsing import clean_text, dig, from_epoch
from scrapers.records import ScrapedItem
from scrapers.sources._play_developer import parse_developer_api

_PUBLIC = "https://play.google.com"
_PUBLIC_HOSTS = ("play.google.com",)
_RPC = "oCPfdb"
# Older answers (and the google-play-scraper libraries' requests) use UsvDTd, same positions.
_REVIEW_RPCS = (_RPC, "UsvDTd")
_SORT_NEWEST = 2
_XSSI = ")]}'"
_CALLBACK = re.compile(r"AF_initDataCallback\(\s*\{")
_DATA = re.compile(r"data:\s*(?:function\s*\(\)\s*\{\s*return\s*)?")
_DECODER = json.JSONDecoder()
_CHUNK_LENGTH = re.compile(r"\s*(\d+)\s*")


def _looks_like_review(value: Any) -> bool:
    """A positional review array: an id, then [author, …], then stars, …, [seconds, nanos]."""
    return (
        isinstance(value, list)
        and len(value) > 5
        and isinstance(value[0], str)
        and isinstance(dig(value, 1, 0), str)
        and isinstance(value[2], int)
        and isinstance(dig(value, 5, 0), int | float)
    )


def _looks_like_reviews(value: Any) -> bool:
    # One malformed review must not hide the block; most of its entries look like reviews.
    return (
        isinstance(value, list)
        and bool(value)
        and sum(map(_looks_like_review, value)) * 2 >= len(value)
    )


def _envelopes(text: str) -> list[Any]:
    """The envelope entries of a batchexecute answer, plain JSON or length-prefixed chunks."""
    body = text.lstrip()
    if body.startswith(_XSSI):
        body = body[len(_XSSI) :]
    body = body.strip()
    try:
        whole = json.loads(body)
        return (
            [entry for entry in whole if isinstance(entry, list)] if isinstance(whole, list) else []
        )
    except ValueError:
        pass
    entries: list[Any] = []
    position = 0
    while position < len(body):
        match = _CHUNK_LENGTH.match(body, position)
        if not match:
            break
        try:
            chunk, position = _DECODER.raw_decode(body, match.end())
        except ValueError:
            break
        if isinstance(chunk, list):
            entries.extend(entry for entry in chunk if isinstance(entry, list))
    return entries


class GooglePlaySource(Source):
    """Reviews of one Android app on Google Play."""

    kind = "google_play"
    request_base = (_PUBLIC, _PUBLIC_HOSTS)
    title = "Google Play"
    max_pages = 5
    url_patterns = (r"^play\.google\.com/store/apps/details\?(.*&)?id=",)

    def _query(self, key: str) -> str | None:
        values = parse_qs(urlsplit(self.spec.url).query).get(key)
        return values[0] if values else None

    @property
    def app_id(self) -> str:
        app = self.option("app_id") or self._query("id")
        if not app:
            raise self.misconfigured(
                "no app id: the URL needs ?id=com.example.app, or set option app_id"
            )
        return app

    def check(self) -> None:
        super().check()
        _ = self.app_id
        self.int_option("page_size", 100)

    def request_body(self, token: str | None) -> str:
        count = self.int_option("page_size", 100)
        inner = json.dumps(
            [None, [2, _SORT_NEWEST, [count, None, token], None, [None] * 9], [self.app_id, 7]],
            separators=(",", ":"),
        )
        outer = json.dumps([[[_RPC, inner, None, "generic"]]], separators=(",", ":"))
        return "f.req=" + quote(outer, safe="")

    async def fetch_page(
        self, token: str | None, *, etag: str | None, last_modified: str | None
    ) -> FetchResponse:
        lang = self.option("lang") or self._query("hl") or "ru"
        country = self.option("country") or self._query("gl") or "ru"
        return await self.fetcher.post(
            self.requests_to() + "/_/PlayStoreUi/data/batchexecute",
            params={"hl": lang, "gl": country},
            data=self.request_body(token).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"},
            source=self.kind,
        )

    def parse(self, response: FetchResponse) -> Page:
        text = response.text()
        if text.lstrip().startswith(_XSSI):
            data = self._rpc_payload(text, response.url)
        elif "AF_initDataCallback" in text:
            data = self._page_payload(text, response.url)
        elif text.lstrip().startswith("{") and '"reviewId"' in text:
            return parse_developer_api(text, url=response.url, app=self._app_or_none())
        else:
            raise NotReviewsPage(
                "neither a Play batchexecute answer nor an app page", source=self.kind
            )
        if not isinstance(data, list) or not data:
            raise self.error(
                "review payload is not a non-empty array (layout changed?)", response.url
            )
        reviews = data[0]
        if reviews is None:  # the app has no (more) reviews
            return Page([])
        if not isinstance(reviews, list):
            raise self.error("review list is not an array (layout changed?)", response.url)
        read = read_entries(reviews, lambda review: self._item(review, response.url))
        token = dig(data, 1, 1)
        if not isinstance(token, str):
            token = dig(data, -2, -1)
        more = token if isinstance(token, str) and token and read.items else None
        return Page(read.items, more, skipped=tuple(read.skipped))

    def _app_or_none(self) -> str | None:
        return self.option("app_id") or self._query("id")

    def _rpc_payload(self, text: str, url: str) -> Any:
        for entry in _envelopes(text):
            if len(entry) > 2 and entry[0] == "wrb.fr" and entry[1] in _REVIEW_RPCS:
                rpc = entry[1]
                if not isinstance(entry[2], str):
                    raise self.error(f"Google answered {rpc} without data (unknown app?)", url)
                try:
                    return json.loads(entry[2])
                except ValueError as exc:
                    raise self.error(f"{rpc} payload is not JSON ({exc})", url) from exc
        raise self.error(
            f"no {'/'.join(_REVIEW_RPCS)} answer in the batchexecute envelope (layout changed?)",
            url,
        )

    def _page_payload(self, text: str, url: str) -> Any:
        for callback in _CALLBACK.finditer(text):
            data_at = _DATA.search(text, callback.end(), callback.end() + 500)
            if not data_at:
                continue
            try:
                data, _ = _DECODER.raw_decode(text, data_at.end())
            except ValueError:
                continue
            if isinstance(data, list) and data and _looks_like_reviews(data[0]):
                return data
        raise self.error("no review block among the page's AF_initDataCallback data", url)

    def _item(self, review: Any, url: str) -> ScrapedItem:
        if not isinstance(review, list):
            raise self.error("review entry is not an array (layout changed?)", url)
        review_id = dig(review, 0)
        stars = dig(review, 2)
        seconds = dig(review, 5, 0)
        if not isinstance(review_id, str) or not isinstance(seconds, int | float):
            raise self.error("review without id or time at the known positions", url)
        if not isinstance(stars, int) or not 1 <= stars <= 5:
            raise self.error(f"review {review_id}: star rating {stars!r} is not 1..5", url)
        extra: dict[str, str] = {}
        version = dig(review, 10)
        if isinstance(version, str):
            extra["version"] = version
        thumbs = dig(review, 6)
        if isinstance(thumbs, int):
            extra["thumbs_up"] = str(thumbs)
        reply = dig(review, 7, 1)
        replied = dig(review, 7, 2, 0)
        if isinstance(reply, str) and isinstance(replied, int | float):
            extra["reply_at"] = from_epoch(replied).isoformat()
        author = dig(review, 1, 0)
        text = dig(review, 4)
        app = self._app_or_none()
        return ScrapedItem(
            external_id=review_id,
            url=f"{_PUBLIC}/store/apps/details?id={quote(app)}&reviewId={quote(review_id)}"
            if app
            else None,
            text=clean_text(text) if isinstance(text, str) else "",
            author=author if isinstance(author, str) else None,
            rating=float(stars),
            published_at=from_epoch(seconds),
            reply=clean_text(reply) if isinstance(reply, str) else None,
            extra=extra,
        )
