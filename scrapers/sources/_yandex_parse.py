"""Parsers of Yandex Maps organization reviews: the reviews page HTML and the fetchReviews JSON.

The page `yandex.ru/maps/org/<slug>/<id>/reviews/` embeds its state as JSON in
`<script class="state-view">`: config{csrfToken, requestId, counters.analytics.sessionId}, and in
stack[0].results.items[0] (type business) ratingData{ratingValue, ratingCount, reviewCount} and
reviewResults{reviews[], params} — the organization's first reviews, in the same shape as the
API's. It also renders review cards (`.business-reviews-card-view__review` >
`.business-review-view`, schema.org Review microdata); a card whose business reply is collapsed
("Посмотреть ответ организации") has no reply text in the DOM.
The JSON answer of `maps/api/business/fetchReviews`: data.reviews[]{reviewId, author{name,
professionLevel, publicId}, text, rating, updatedTime, businessComment{text, updatedTime}},
data.params{page, count, totalPages}.
Checked against a real card of 2024; the state and the JSON are reconstructed from the sites'
real structure (no real fetchReviews answer could be found: that path is unverified).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bs4 import BeautifulSoup, Tag

from scrapers.entries import read_entries
from scrapers.errors import ParseError
from scrapers.records import ScrapedItem
from scrapers.sources._reviews_common import (
    ParsedPage,
    as_dict,
    as_list,
    check_anti_bot,
    count_or_none,
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
    name: re.compile(rf'"{name}"\s*:\s*"([^"]+)"')
    for name in ("csrfToken", "sessionId", "reqId", "requestId")
}
EMBEDDED = "embedded state"


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
    return PageTokens(found["csrfToken"], found["sessionId"], found["reqId"] or found["requestId"])


def embedded_state(soup: BeautifulSoup) -> dict[str, Any] | None:
    """The page's `state-view` JSON, or None when it has none (or it is unreadable)."""
    script = soup.select_one("script.state-view")
    if script is None or not script.string:
        return None
    try:
        data = json.loads(script.string)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _find(data: Any, key: str, depth: int = 0) -> Any:
    """The first value under `key` anywhere in the state (its nesting moves between versions)."""
    if depth > 12:
        return None
    if isinstance(data, dict):
        if key in data:
            return data[key]
        children: list[Any] = list(data.values())
    elif isinstance(data, list):
        children = data
    else:
        return None
    for child in children:
        found = _find(child, key, depth + 1)
        if found is not None:
            return found
    return None


def signature(params: dict[str, str]) -> str:
    """The `s` parameter the site's own script adds: djb2-xor of the sorted, encoded query."""
    value = 5381
    for char in urlencode(sorted(params.items())):
        value = ((33 * value) ^ ord(char)) & 0xFFFFFFFF
    return str(value)


def parse_html(text: str, *, url: str, link: str) -> ParsedPage:
    """The reviews page: the reviews of its embedded state where it has them (ids, full texts,
    replies), else the rendered cards."""
    check_anti_bot(text, url=url, source=SOURCE)
    soup = BeautifulSoup(text, "lxml")
    state = embedded_state(soup)
    total = count_or_none(opt_dict(_find(state, "ratingData")).get("reviewCount"))
    results = opt_dict(_find(state, "reviewResults"))
    rows = results.get("reviews")
    if isinstance(rows, list) and rows:
        entries = read_entries(rows, lambda row: _json_review(row, url=url, link=link))
        return ParsedPage.of(entries, site_total=total, path=EMBEDDED)
    cards = soup.select(".business-reviews-card-view__review .business-review-view")
    if not cards and not soup.select_one(".business-reviews-card-view"):
        raise layout_missing(text, "no reviews block on the page", url=url, source=SOURCE)
    entries = read_entries(cards, lambda card: _card(card, url=url, link=link))
    return ParsedPage.of(entries, site_total=total, path="HTML")


def has_reviews(text: str) -> bool:
    """Whether a reviews page holds reviews to fall back on (embedded state or cards)."""
    soup = BeautifulSoup(text, "lxml")
    rows = opt_dict(_find(embedded_state(soup), "reviewResults")).get("reviews")
    return bool(rows) or soup.select_one(".business-reviews-card-view__review") is not None


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
    extra: dict[str, str] = {}
    level = node_text(card.select_one(".business-review-view__author-caption"))
    if level:
        extra["author_level"] = level
    if reply_node is None and card.select_one(".business-review-view__comment-expand"):
        # The organization answered, but the card shows the answer only after a click.
        extra["reply_collapsed"] = "1"
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
        extra=extra,
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
    entries = read_entries(rows, lambda row: _json_review(row, url=url, link=link))
    params = opt_dict(body.get("params"))
    page, pages = params.get("page"), params.get("totalPages")
    next_url = None
    if isinstance(page, int) and isinstance(pages, int) and page < pages:
        next_url = str(page + 1)
    total = count_or_none(params.get("count"))
    if total is None:
        total = count_or_none(body.get("totalCount"))
    return ParsedPage.of(entries, next_url, site_total=total, path="API")


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
