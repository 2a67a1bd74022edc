"""Parsers of Google's official answers: Places API (New and legacy) and Business Profile reviews.

Places API (New) `GET /v1/places/<id>`: reviews[]{name "places/<id>/reviews/<rid>", rating,
text{text}, originalText{text, languageCode}, authorAttribution{displayName, uri}, publishTime,
googleMapsUri} — at most 5 reviews, no owner replies.
Places legacy `place/details/json`: result.reviews[]{author_name, author_url, rating, text, time
(epoch s), language} — at most 5 (reviews_sort=newest), no ids, no replies.
Business Profile `GET v4/accounts/<a>/locations/<l>/reviews`: reviews[]{reviewId, name,
reviewer{displayName, isAnonymous}, starRating ONE..FIVE, comment, createTime, updateTime,
reviewReply{comment, updateTime}}, nextPageToken — every review, newest first.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from scrapers.entries import read_entries
from scrapers.errors import ParseError
from scrapers.records import ScrapedItem
from scrapers.sources._reviews_common import (
    ParsedPage,
    as_dict,
    as_list,
    count_or_none,
    from_epoch,
    load_json,
    opt_dict,
    opt_str,
    parse_iso,
    rating_1_5,
    require_id,
    tidy,
)

PLACES = "google_maps"
BUSINESS = "google_business"
_STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}
# Google shows a machine translation first: "(Translated by Google) …\n\n(Original)\n…".
_ORIGINAL = re.compile(r"\(Original\)\s*(.*)\Z", re.S)


def _api_error(data: dict[str, Any], *, url: str, source: str) -> None:
    error = data.get("error")
    if isinstance(error, dict):
        raise ParseError(
            f"API error {error.get('code', '')} {error.get('status', '')}: {error.get('message', '')}",
            source=source,
            url=url,
        )
    status = data.get("status")
    if isinstance(status, str) and status not in ("OK", "ZERO_RESULTS"):
        detail = data.get("error_message") or ""
        raise ParseError(f"API status {status} {detail}".strip(), source=source, url=url)


def parse_places(text: str, *, url: str) -> ParsedPage:
    """A Places API answer, New (`reviews` at the top) or legacy (`result.reviews`)."""
    data = as_dict(load_json(text, url=url, source=PLACES), "answer", url=url, source=PLACES)
    _api_error(data, url=url, source=PLACES)
    if "result" in data:
        result = as_dict(data["result"], "result", url=url, source=PLACES)
        rows = as_list(result.get("reviews", []), "result.reviews", url=url, source=PLACES)
        maps_url = opt_str(result.get("url"))
        entries = read_entries(rows, lambda row: _legacy(row, url=url, maps_url=maps_url))
        total = count_or_none(result.get("user_ratings_total"))
        return ParsedPage.of(entries, site_total=total, path="API")
    if "id" not in data and "reviews" not in data:
        raise ParseError("answer is not a place", source=PLACES, url=url)
    rows = as_list(data.get("reviews", []), "reviews", url=url, source=PLACES)
    entries = read_entries(rows, lambda row: _new(row, url=url))
    return ParsedPage.of(entries, site_total=count_or_none(data.get("userRatingCount")), path="API")


def _new(row: Any, *, url: str) -> ScrapedItem:
    row = as_dict(row, "review", url=url, source=PLACES)
    name = require_id(row, "name", url=url, source=PLACES)
    original = opt_dict(row.get("originalText"))
    shown = opt_dict(row.get("text"))
    author = opt_dict(row.get("authorAttribution"))
    return ScrapedItem(
        external_id=name.rsplit("/", 1)[-1],
        url=opt_str(row.get("googleMapsUri")),
        text=tidy(original.get("text") or shown.get("text")),
        author=opt_str(author.get("displayName")),
        rating=rating_1_5(row.get("rating"), url=url, source=PLACES),
        published_at=parse_iso(row.get("publishTime"), url=url, source=PLACES),
        language=opt_str(original.get("languageCode") or shown.get("languageCode")),
    )


def _legacy(row: Any, *, url: str, maps_url: str | None) -> ScrapedItem:
    row = as_dict(row, "review", url=url, source=PLACES)
    published = from_epoch(row.get("time"), url=url, source=PLACES)
    author = opt_str(row.get("author_name"))
    # The legacy API has no review id; the author's profile and the time identify a review.
    key = f"{row.get('author_url') or author}|{int(published.timestamp())}"
    return ScrapedItem(
        external_id=f"legacy:{hashlib.sha1(key.encode()).hexdigest()[:20]}",
        url=maps_url,
        text=tidy(row.get("text")),
        author=author,
        rating=rating_1_5(row.get("rating"), url=url, source=PLACES),
        published_at=published,
        language=opt_str(row.get("original_language") or row.get("language")),
    )


def parse_business_reviews(text: str, *, url: str, link: str | None = None) -> ParsedPage:
    """One page of `accounts/<a>/locations/<l>/reviews`; next_url holds the nextPageToken."""
    data = as_dict(load_json(text, url=url, source=BUSINESS), "answer", url=url, source=BUSINESS)
    _api_error(data, url=url, source=BUSINESS)
    rows = as_list(data.get("reviews", []), "reviews", url=url, source=BUSINESS)
    if not rows and "totalReviewCount" not in data and "averageRating" not in data:
        raise ParseError("answer is not a reviews list", source=BUSINESS, url=url)
    entries = read_entries(rows, lambda row: _business(row, url=url, link=link))
    return ParsedPage.of(
        entries,
        opt_str(data.get("nextPageToken")),
        site_total=count_or_none(data.get("totalReviewCount")),
        path="API",
    )


def _business(row: Any, *, url: str, link: str | None) -> ScrapedItem:
    row = as_dict(row, "review", url=url, source=BUSINESS)
    review_id = require_id(row, "reviewId", url=url, source=BUSINESS)
    stars = _STARS.get(str(row.get("starRating")))
    if stars is None:
        raise ParseError(f"bad starRating {row.get('starRating')!r}", source=BUSINESS, url=url)
    reviewer = opt_dict(row.get("reviewer"))
    reply = opt_dict(row.get("reviewReply"))
    extra = {"name": str(row.get("name") or "")}
    if opt_str(reply.get("updateTime")):
        extra["reply_at"] = parse_iso(reply["updateTime"], url=url, source=BUSINESS).isoformat()
    return ScrapedItem(
        external_id=review_id,
        url=link,
        text=_original(tidy(row.get("comment"))),
        author=None if reviewer.get("isAnonymous") else opt_str(reviewer.get("displayName")),
        rating=rating_1_5(stars, url=url, source=BUSINESS),
        published_at=parse_iso(row.get("createTime"), url=url, source=BUSINESS),
        reply=_original(tidy(reply.get("comment"))) or None,
        extra=extra,
    )


def _original(text: str) -> str:
    match = _ORIGINAL.search(text)
    return match[1].strip() if match and text.startswith("(Translated by Google)") else text
