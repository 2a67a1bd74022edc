"""Parsers of the HTML review lists of Otzovik, iRecommend and Zoon (pure: text and URL in).

Selectors follow each site's markup (see tests/pages/README.md for what each test page is based
on): schema.org Review microdata where the site has it, the site's own classes otherwise. A page
with neither review cards nor the list container is a layout change (ParseError) unless it is a
captcha wall (AntiBotPage) or a page of the site that lists no reviews at all — a catalog, the
home page (NotReviewsPage: the URL is wrong, not the parser). Otzovik is checked against a real
list page of 2026; iRecommend and Zoon only against their real non-review pages.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from scrapers.entries import read_entries
from scrapers.errors import NotReviewsPage, ParseError
from scrapers.records import ScrapedItem
from scrapers.sources._reviews_common import (
    ParsedPage,
    check_anti_bot,
    layout_missing,
    node_text,
    opt_str,
    parse_iso,
    parse_ru_date,
    rating_1_5,
)


def _soup(text: str, *, url: str, source: str) -> BeautifulSoup:
    check_anti_bot(text, url=url, source=source)
    return BeautifulSoup(text, "lxml")


def _date(card: Tag, selectors: str, *, url: str, source: str) -> datetime:
    # Any tag may carry the microdata: Otzovik puts the full ISO time on the visible date's div
    # ("2 июн 2026" shown, content="2026-06-02T01:06:31+03:00").
    meta = card.select_one("[itemprop=datePublished][content]")
    if meta and meta.get("content"):
        return parse_ru_date(str(meta["content"]), url=url, source=source)
    marked = card.select_one(".value-title[title]")
    if marked:
        return parse_ru_date(str(marked["title"]), url=url, source=source)
    node = card.select_one(selectors)
    if node is None:
        raise ParseError("review without a date", source=source, url=url)
    return parse_ru_date(node_text(node), url=url, source=source)


def _meta_rating(card: Tag, *, url: str, source: str) -> float | None:
    meta = card.select_one(
        "[itemprop=reviewRating] [itemprop=ratingValue], meta[itemprop=ratingValue]"
    )
    if meta is None:
        return None
    value = meta.get("content") or node_text(meta)
    return rating_1_5(value, url=url, source=source)


def _next(soup: BeautifulSoup, selectors: str, url: str) -> str | None:
    link = soup.select_one(selectors)
    href = link.get("href") if link else None
    return urljoin(url, str(href)) if href else None


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


# --- Otzovik ---------------------------------------------------------------------------------

OTZOVIK = "otzovik"
_OTZOVIK_ID = re.compile(r"/review_(\d+)\.html")


def parse_otzovik(text: str, *, url: str) -> ParsedPage:
    """A product's review list `otzovik.com/reviews/<slug>/[N/]`; texts are the list teasers."""
    soup = _soup(text, url=url, source=OTZOVIK)
    cards = soup.select(".review-list-chunk .item[itemprop=review], .review-list-chunk div.item")
    if not cards and not soup.select_one(".review-list-chunk, .product-header"):
        raise layout_missing(text, "no review list on the page", url=url, source=OTZOVIK)
    entries = read_entries(cards, lambda card: _otzovik_card(card, url=url))
    return ParsedPage.of(entries, _next(soup, "a.pager-item.next, a[rel=next]", url), path="HTML")


def _otzovik_card(card: Tag, *, url: str) -> ScrapedItem:
    title_link = card.select_one("a.review-title, a.review-read-link")
    href = str(title_link.get("href", "")) if title_link else ""
    match = _OTZOVIK_ID.search(href)
    if match is None:
        raise ParseError("review without a /review_<id>.html link", source=OTZOVIK, url=url)
    rating = _meta_rating(card, url=url, source=OTZOVIK)
    if rating is None:
        score = card.select_one(".rating-score span, .rating-score")
        rating = rating_1_5(node_text(score), url=url, source=OTZOVIK) if score else None
    author = card.select_one(".user-login [itemprop=name], .user-login span, .user-login")
    plus = node_text(card.select_one(".review-plus"))
    minus = node_text(card.select_one(".review-minus"))
    return ScrapedItem(
        external_id=match[1],
        url=urljoin(url, href),
        text=_join(node_text(card.select_one(".review-teaser")), plus, minus),
        author=node_text(author) or None,
        rating=rating,
        title=node_text(title_link)
        if title_link and "review-title" in title_link.get_attribute_list("class")
        else None,
        published_at=_date(card, ".review-postdate", url=url, source=OTZOVIK),
        extra={"truncated": "1"},
    )


# --- iRecommend ------------------------------------------------------------------------------

IRECOMMEND = "irecommend"


def parse_irecommend(text: str, *, url: str) -> ParsedPage:
    """A product page `irecommend.ru/content/<slug>[?page=N]`: the list of review teasers."""
    soup = _soup(text, url=url, source=IRECOMMEND)
    cards = soup.select(".list-comments > .item, .reviewsList .item, ul.list-comments li.item")
    if not cards and not soup.select_one(".list-comments, .reviewsList"):
        body = soup.body
        classes = body.get_attribute_list("class") if body is not None else []
        if "front" in classes or "page-bestreviews" in classes:
            raise NotReviewsPage(
                "this is the iRecommend home page, not a product's reviews page "
                "(paste the product's irecommend.ru/content/… link)",
                source=IRECOMMEND,
                url=url,
            )
        raise layout_missing(text, "no review list on the page", url=url, source=IRECOMMEND)
    entries = read_entries(cards, lambda card: _irecommend_card(card, url=url))
    return ParsedPage.of(entries, _next(soup, "li.pager-next a, a[rel=next]", url), path="HTML")


def _irecommend_card(card: Tag, *, url: str) -> ScrapedItem:
    title_link = card.select_one(".reviewTitle a[href]")
    if title_link is None:
        raise ParseError("review without a title link", source=IRECOMMEND, url=url)
    href = str(title_link["href"])
    rating = _meta_rating(card, url=url, source=IRECOMMEND)
    if rating is None:
        rating = rating_1_5(len(card.select(".starsRating .on")), url=url, source=IRECOMMEND)
    return ScrapedItem(
        external_id=str(card.get("data-nid") or href.split("?")[0].rstrip("/")),
        url=urljoin(url, href),
        text=node_text(card.select_one(".reviewTeaser, [itemprop=reviewBody], .reviewText")),
        author=node_text(card.select_one(".authorName")) or None,
        rating=rating,
        title=node_text(title_link) or None,
        published_at=_date(card, ".created, .date-created", url=url, source=IRECOMMEND),
        extra={"truncated": "1"},
    )


# --- Zoon ------------------------------------------------------------------------------------

ZOON = "zoon"


def parse_zoon(text: str, *, url: str) -> ParsedPage:
    """An organization page `zoon.ru/<city>/<category>/<slug>/`: review cards, else JSON-LD."""
    soup = _soup(text, url=url, source=ZOON)
    cards = soup.select('[data-uitest="comment-item"], li.comment-item')
    next_url = _next(soup, "a[rel=next], .js-next-page[href]", url)
    if cards:
        entries = read_entries(cards, lambda card: _zoon_card(card, url=url))
        return ParsedPage.of(entries, next_url, path="HTML")
    ld_rows = _json_ld_rows(soup)
    if ld_rows is not None:
        entries = read_entries(ld_rows, lambda row: _ld_review(row, url=url))
        return ParsedPage.of(entries, next_url, path="JSON-LD")
    if soup.select_one(".comments-list, [data-uitest=comments-list], .js-comments-list"):
        return ParsedPage(items=[], next_url=None)
    if soup.select_one(".minicard-item, [data-uitest=catalog-list], .catalog-list"):
        raise NotReviewsPage(
            "this is a Zoon catalog page (a list of organizations), not one organization's "
            "reviews (paste the organization's zoon.ru page)",
            source=ZOON,
            url=url,
        )
    raise layout_missing(text, "no reviews block on the page", url=url, source=ZOON)


def _zoon_card(card: Tag, *, url: str) -> ScrapedItem:
    review_id = opt_str(card.get("data-id"))
    if review_id is None:
        raise ParseError("review card without data-id", source=ZOON, url=url)
    author = card.select_one("[itemprop=author] [itemprop=name], .comment-item__name, .name")
    rating = _meta_rating(card, url=url, source=ZOON)
    reply = card.select_one(
        '[data-uitest="comment-answer"] .comment-text, .comment-item__answer-text'
    )
    body = card.select_one("[itemprop=reviewBody], .comment-item__text, .comment-text")
    return ScrapedItem(
        external_id=review_id,
        url=f"{url.split('#')[0]}#comment{review_id}",
        text=node_text(body),
        author=node_text(author) or None,
        rating=rating,
        published_at=_date(card, ".comment-item__date, .iblock.gray", url=url, source=ZOON),
        reply=node_text(reply) or None,
    )


def _json_ld_rows(soup: BeautifulSoup) -> list[object] | None:
    """The raw `review` objects of the page's schema.org JSON-LD; None when it has none."""
    found: list[object] | None = None
    for script in soup.select('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.string or "")
        except ValueError:
            continue
        for block in data if isinstance(data, list) else [data]:
            reviews = block.get("review") if isinstance(block, dict) else None
            if isinstance(reviews, dict):
                reviews = [reviews]
            if isinstance(reviews, list):
                found = (found or []) + reviews
    return found


def _ld_review(row: object, *, url: str) -> ScrapedItem:
    if not isinstance(row, dict):
        raise ParseError("JSON-LD review is not an object", source=ZOON, url=url)
    author = row.get("author")
    name = opt_str(author.get("name")) if isinstance(author, dict) else opt_str(author)
    rating_block = row.get("reviewRating")
    rating_value = rating_block.get("ratingValue") if isinstance(rating_block, dict) else None
    published = (
        parse_iso(row.get("datePublished"), url=url, source=ZOON)
        if len(str(row.get("datePublished") or "")) > 10
        else parse_ru_date(str(row.get("datePublished") or ""), url=url, source=ZOON)
    )
    text = str(row.get("reviewBody") or "").strip()
    digest = hashlib.sha1(f"{name}|{published.isoformat()}|{text[:80]}".encode()).hexdigest()[:16]
    return ScrapedItem(
        external_id=f"ld:{digest}",
        url=url,
        text=text,
        author=name,
        rating=rating_1_5(rating_value, url=url, source=ZOON) if rating_value is not None else None,
        published_at=published,
    )
