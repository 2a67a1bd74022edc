"""Parser of the 2GIS public reviews API answer, shared by the 2GIS and Flamp sources.

`public-api.reviews.2gis.com/2.0/branches/<id>/reviews`: meta{branch_rating, branch_reviews_count,
total_count, next_link, code} and reviews[]{id, text, rating, date_created, date_edited,
user{name | first_name/last_name}, official_answer{text, date_created, org_name}, provider,
is_hidden, hiding_reason, likes_count, object{id, type}, url}. `url` is the review's own page
where it has one (Flamp reviews: `https://flamp.ru/r/<branch>/<id>`; 2GIS-written ones carry "").
Checked against real answers of 2021 and 2024 (see the README's sources table).
"""

from __future__ import annotations

from typing import Any

from scrapers.entries import read_entries
from scrapers.errors import ParseError
from scrapers.records import ScrapedItem
from scrapers.sources._reviews_common import (
    ParsedPage,
    as_dict,
    as_list,
    count_or_none,
    load_json,
    opt_dict,
    opt_str,
    parse_iso,
    rating_1_5,
    require_id,
    tidy,
)

REVIEW_FIELDS = (
    "meta.providers,meta.branch_rating,meta.branch_reviews_count,meta.total_count,"
    "reviews.hiding_reason,reviews.is_verified"
)


def parse_reviews_answer(
    text: str, *, url: str, source: str, link: str, provider: str | None = None
) -> ParsedPage:
    """One API answer; `link` is where a review without its own URL points (the firm page)."""
    data = as_dict(load_json(text, url=url, source=source), "answer", url=url, source=source)
    meta = opt_dict(data.get("meta"))
    code = meta.get("code")
    if isinstance(code, int) and code >= 400:
        message = opt_dict(meta.get("error")).get("message")
        raise ParseError(f"API error {code} {message or ''}".strip(), source=source, url=url)
    if "reviews" not in data:
        raise ParseError("answer has no reviews list", source=source, url=url)
    rows = as_list(data["reviews"], "reviews", url=url, source=source)
    entries = read_entries(rows, lambda row: _review(row, url=url, source=source, link=link))
    if provider:
        entries.items = [item for item in entries.items if item.extra.get("provider") == provider]
    total = count_or_none(meta.get("total_count"))
    if total is None:
        total = count_or_none(meta.get("branch_reviews_count"))
    return ParsedPage.of(entries, opt_str(meta.get("next_link")), site_total=total, path="API")


def _review(row: Any, *, url: str, source: str, link: str) -> ScrapedItem:
    row = as_dict(row, "review", url=url, source=source)
    review_id = require_id(row, "id", url=url, source=source)
    user = opt_dict(row.get("user"))
    author = opt_str(user.get("name")) or " ".join(
        part for part in (opt_str(user.get("first_name")), opt_str(user.get("last_name"))) if part
    )
    answer = opt_dict(row.get("official_answer"))
    extra: dict[str, str] = {}
    for key in ("provider", "hiding_reason", "likes_count"):
        value = opt_str(row.get(key))
        if value:
            extra[key] = value
    if row.get("is_hidden") is True:
        extra["hidden"] = "1"
    if opt_str(answer.get("date_created")):
        extra["reply_at"] = parse_iso(answer["date_created"], url=url, source=source).isoformat()
    own = opt_str(row.get("url"))
    return ScrapedItem(
        external_id=review_id,
        url=own if own and own.startswith(("http://", "https://")) else link,
        text=tidy(row.get("text")),
        author=author or None,
        rating=rating_1_5(row.get("rating"), url=url, source=source),
        published_at=parse_iso(row.get("date_created"), url=url, source=source),
        reply=tidy(answer.get("text")) or None,
        extra=extra,
    )
