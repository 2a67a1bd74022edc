"""Parsers of Trustpilot: the review page's `__NEXT_DATA__` JSON and the public API answer.

Page `trustpilot.com/review/<domain>?page=N`: props.pageProps{businessUnit, reviews[]{id, rating,
title, text, language, consumer{displayName}, dates{publishedDate}, reply{message, publishedDate}},
filters.pagination{currentPage, totalPages, totalCount}}.
API `/v1/business-units/<id>/reviews`: reviews[]{id, stars, title, text, language, createdAt,
consumer{displayName}, companyReply{text, createdAt} | null}, links[] with rel "next-page".
Pre-2017 pages (no `__NEXT_DATA__`): `div.review[data-reviewmid]` cards with
`.star-rating.count-N`, `time[datetime]`, `.review-title-link`, `.review-body`.
Checked against real pages of 2023 and 2024, a real API answer (reviews 2012–2017) and a real
card of the 2016 layout.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from scrapers.entries import read_entries
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
    rating_1_5,
    require_id,
    tidy,
)

SOURCE = "trustpilot"
_NEXT_DATA = re.compile(
    r"<script[^>]*\bid=[\"']?__NEXT_DATA__[\"']?[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE
)
SITE = "https://www.trustpilot.com"


def parse_page(text: str, *, url: str) -> ParsedPage:
    """A review page (HTML) or an API answer (JSON), told apart by the first character."""
    if text.lstrip()[:1] in ("{", "["):
        return parse_api(text, url=url)
    check_anti_bot(text, url=url, source=SOURCE)
    # The JSON is found without building the whole (large) document tree.
    script = _NEXT_DATA.search(text)
    if script is None:
        cards = BeautifulSoup(text, "lxml").select("div.review[data-reviewmid]")
        if cards:
            return ParsedPage.of(read_entries(cards, lambda c: _old_card(c, url=url)), path="HTML")
        raise layout_missing(text, "no __NEXT_DATA__ script on the page", url=url, source=SOURCE)
    data = as_dict(
        load_json(script[1], url=url, source=SOURCE), "__NEXT_DATA__", url=url, source=SOURCE
    )
    props = as_dict(data.get("props"), "props", url=url, source=SOURCE)
    page_props = as_dict(props.get("pageProps"), "props.pageProps", url=url, source=SOURCE)
    rows = as_list(page_props.get("reviews"), "pageProps.reviews", url=url, source=SOURCE)
    entries = read_entries(rows, lambda row: _page_review(row, url=url))
    filters = opt_dict(page_props.get("filters"))
    paging = opt_dict(filters.get("pagination"))
    current, pages = paging.get("currentPage"), paging.get("totalPages")
    next_url = None
    if isinstance(current, int) and isinstance(pages, int) and current < pages:
        next_url = f"{url.split('?')[0]}?page={current + 1}&sort=recency"
    business = opt_dict(page_props.get("businessUnit"))
    total = count_or_none(business.get("numberOfReviews"))
    return ParsedPage.of(entries, next_url, site_total=total, path="embedded state")


def _old_card(card: Tag, *, url: str) -> ScrapedItem:
    review_id = str(card["data-reviewmid"])
    stars = card.select_one(".star-rating")
    count = (
        re.search(r"\bcount-(\d)\b", " ".join(stars.get_attribute_list("class"))) if stars else None
    )
    moment = card.select_one("time[datetime]")
    title = card.select_one(".review-title-link, .review-title")
    return ScrapedItem(
        external_id=review_id,
        url=f"{SITE}/reviews/{review_id}",
        text=node_text(card.select_one(".review-body")),
        author=node_text(card.select_one(".user-review-name-link, .user-review-name")) or None,
        rating=rating_1_5(count[1] if count else None, url=url, source=SOURCE),
        title=node_text(title) or None,
        published_at=parse_iso(moment.get("datetime") if moment else None, url=url, source=SOURCE),
        reply=node_text(card.select_one(".company-reply .review-body, .company-reply")) or None,
    )


def _page_review(row: Any, *, url: str) -> ScrapedItem:
    row = as_dict(row, "review", url=url, source=SOURCE)
    review_id = require_id(row, "id", url=url, source=SOURCE)
    dates = as_dict(row.get("dates"), "review dates", url=url, source=SOURCE)
    consumer = opt_dict(row.get("consumer"))
    reply = opt_dict(row.get("reply"))
    extra = {}
    if opt_str(reply.get("publishedDate")):
        extra["reply_at"] = parse_iso(reply["publishedDate"], url=url, source=SOURCE).isoformat()
    if opt_dict(opt_dict(row.get("labels")).get("verification")).get("isVerified") is True:
        extra["verified"] = "1"
    return ScrapedItem(
        external_id=review_id,
        url=f"{SITE}/reviews/{review_id}",
        text=tidy(row.get("text")),
        author=opt_str(consumer.get("displayName")),
        rating=rating_1_5(row.get("rating"), url=url, source=SOURCE),
        title=opt_str(row.get("title")),
        published_at=parse_iso(dates.get("publishedDate"), url=url, source=SOURCE),
        reply=tidy(reply.get("message")) or None,
        language=opt_str(row.get("language")),
        extra=extra,
    )


def parse_api(text: str, *, url: str) -> ParsedPage:
    data = as_dict(load_json(text, url=url, source=SOURCE), "answer", url=url, source=SOURCE)
    rows = as_list(data.get("reviews"), "reviews", url=url, source=SOURCE)
    entries = read_entries(rows, lambda row: _api_review(row, url=url))
    next_url = None
    for link in data.get("links") or []:
        if isinstance(link, dict) and link.get("rel") == "next-page" and opt_str(link.get("href")):
            next_url = urljoin(url, link["href"])
    return ParsedPage.of(entries, next_url, path="API")


def _api_review(row: Any, *, url: str) -> ScrapedItem:
    row = as_dict(row, "review", url=url, source=SOURCE)
    review_id = require_id(row, "id", url=url, source=SOURCE)
    consumer = opt_dict(row.get("consumer"))
    reply = opt_dict(row.get("companyReply"))
    business = opt_dict(row.get("businessUnit"))
    extra = {}
    if opt_str(business.get("identifyingName")):
        extra["business"] = business["identifyingName"]
    if row.get("isVerified") is True:
        extra["verified"] = "1"
    return ScrapedItem(
        external_id=review_id,
        url=f"{SITE}/reviews/{review_id}",
        text=tidy(row.get("text")),
        author=opt_str(consumer.get("displayName")),
        rating=rating_1_5(row.get("stars"), url=url, source=SOURCE),
        title=opt_str(row.get("title")),
        published_at=parse_iso(row.get("createdAt"), url=url, source=SOURCE),
        reply=tidy(reply.get("text")) or None,
        language=opt_str(row.get("language")),
        extra=extra,
    )
