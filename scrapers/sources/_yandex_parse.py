"""Parsers of Yandex Maps organization reviews: the reviews page HTML and the fetchReviews JSON.

The page `yandex.ru/maps/org/<slug>/<id>/reviews/` renders review cards
(`.business-reviews-card-view__review` > `.business-review-view`, schema.org Review microdata) and
embeds the session tokens (csrfToken, sessionId, reqId) that `maps/api/business/fetchReviews`
needs. The JSON answer: data.reviews[]{reviewId, author{name, publicId}, text, rating,
updatedTime, businessComment{text, updatedTime}}, data.params{page, count, totalPages}.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bs4 import BeautifulSoup, Tag

from scrapers.errors import ParseError
from scrapers.records import ScrapedItem
from scrapers.sources._reviews_common import (
    ParsedPage,
    as_dict,
    as_list,
    check_anti_bot,
    layout_missing,
    load_json,
    node_text,
    opt_dict,
    opt_str,
    parse_iso,
    parse_ru_date,
    rating_1_5,
    require_id,
    tidy,
)

SOURCE = "yandex_maps"
_TOKEN = {
    name: re.compile(rf'"{name}"\s*:\s*"([^"]+)"') for name in ("csrfToken", "sessionId", "reqId")
}


@dataclass(frozen=True, slots=True)
class PageTokens:
    """What the HTML page hands to the JSON API."""

    csrf_token: str | None
    session_id: str | None
    req_id: str | None


def page_tokens(text: str) -> PageTokens:
    found = {
        name: (m[1] if (m := pattern.search(text)) else None) for name, pattern in _TOKEN.items()
    }
    return PageTokens(found["csrfToken"], found["sessionId"], found["reqId"])


def signature(params: dict[str, str]) -> str:
    """The `s` parameter the site's own script adds: djb2-xor of the sorted, encoded query."""
    value = 5381
    for char in urlencode(sorted(params.items())):
        value = ((33 * value) ^ ord(char)) & 0xFFFFFFFF
    return str(value)


def parse_html(text: str, *, url: str, link: str) -> ParsedPage:
    check_anti_bot(text, url=url, source=SOURCE)
    soup = BeautifulSoup(text, "lxml")
    cards = soup.select(".business-reviews-card-view__review .business-review-view")
    if not cards and not soup.select_one(".business-reviews-card-view"):
        raise layout_missing(text, "no reviews block on the page", url=url, source=SOURCE)
    return ParsedPage(items=[_card(card, url=url, link=link) for card in cards])


def _card(card: Tag, *, url: str, link: str) -> ScrapedItem:
    author_node = card.select_one(
        ".business-review-view__author [itemprop=name], .business-review-view__author-name span"
    )
    author = node_text(author_node) or None
    date_meta = card.select_one("meta[itemprop=datePublished]")
    if date_meta and date_meta.get("content"):
        published = parse_iso(str(date_meta["content"]), url=url, source=SOURCE)
    else:
        date_node = card.select_one(".business-review-view__date")
        if date_node is None:
            raise ParseError("review card without a date", source=SOURCE, url=url)
        published = parse_ru_date(node_text(date_node), url=url, source=SOURCE)
    rating_meta = card.select_one("meta[itemprop=ratingValue]")
    if rating_meta and rating_meta.get("content"):
        rating = rating_1_5(rating_meta["content"], url=url, source=SOURCE)
    else:
        stars = card.select(
            ".business-rating-badge-view__stars .business-rating-badge-view__star._full"
        )
        rating = rating_1_5(len(stars), url=url, source=SOURCE)
    body = card.select_one(
        ".business-review-view__body .spoiler-view__text-container, "
        ".business-review-view__body-text, .business-review-view__body"
    )
    reply_node = card.select_one(".business-review-comment-content__bubble")
    share = card.select_one("a[href*='/reviews/']")
    review_id = _id_from_href(str(share["href"])) if share and share.get("href") else None
    if review_id is None:
        digest = hashlib.sha1(f"{author}|{published.isoformat()}".encode()).hexdigest()[:16]
        review_id = f"h:{digest}"
    return ScrapedItem(
        external_id=review_id,
        url=link,
        text=node_text(body),
        author=author,
        rating=rating,
        published_at=published,
        reply=node_text(reply_node) or None,
    )


def _id_from_href(href: str) -> str | None:
    match = re.search(r"/reviews/([A-Za-z0-9_-]{6,})/?(?:$|\?)", href)
    return match[1] if match else None


def parse_json(text: str, *, url: str, link: str) -> ParsedPage:
    """One fetchReviews answer. An answer with only a csrfToken means "retry with this token"."""
    check_anti_bot(text, url=url, source=SOURCE)
    data = as_dict(load_json(text, url=url, source=SOURCE), "answer", url=url, source=SOURCE)
    if "data" not in data:
        token = opt_str(data.get("csrfToken"))
        if token:
            return ParsedPage(items=[], extra={"csrfToken": token})
        raise ParseError("answer has no data", source=SOURCE, url=url)
    body = as_dict(data["data"], "data", url=url, source=SOURCE)
    rows = as_list(body.get("reviews"), "data.reviews", url=url, source=SOURCE)
    items = [_json_review(row, url=url, link=link) for row in rows]
    params = opt_dict(body.get("params"))
    page, pages = params.get("page"), params.get("totalPages")
    next_url = None
    if isinstance(page, int) and isinstance(pages, int) and page < pages:
        next_url = str(page + 1)
    return ParsedPage(items=items, next_url=next_url)


def _json_review(row: Any, *, url: str, link: str) -> ScrapedItem:
    row = as_dict(row, "review", url=url, source=SOURCE)
    review_id = require_id(row, "reviewId", url=url, source=SOURCE)
    author = opt_dict(row.get("author"))
    comment = opt_dict(row.get("businessComment"))
    extra = {}
    if opt_str(author.get("professionLevel")):
        extra["author_level"] = author["professionLevel"].strip()
    if opt_str(comment.get("updatedTime")):
        extra["reply_at"] = parse_iso(comment["updatedTime"], url=url, source=SOURCE).isoformat()
    return ScrapedItem(
        external_id=review_id,
        url=link,
        text=tidy(row.get("text")),
        author=opt_str(author.get("name")),
        rating=rating_1_5(row.get("rating"), url=url, source=SOURCE),
        published_at=parse_iso(row.get("updatedTime"), url=url, source=SOURCE),
        reply=tidy(comment.get("text")) or None,
        language=opt_str(row.get("textLanguage")),
        extra=extra,
    )
