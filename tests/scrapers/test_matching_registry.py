"""Alias matching rules, the registry, and the base poll contract (errors, cursor)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from common.errors import ConfigError
from scrapers import registry
from scrapers.base import Cursor, Page, Source, item_key
from scrapers.errors import ParseError
from scrapers.fetch import Fetcher, FetchResponse
from scrapers.matching import AliasMatcher, mentions
from scrapers.records import PollState, ScrapedItem, SourceSpec
from tests.fakes.site_server import SiteServer


@pytest.mark.parametrize(
    "text",
    [
        "Кофемания",
        "иду в Кофеманию",
        "из Кофемании",
        "о Кофеманиях",
        "КОФЕМАНИЕЙ довольны",
        "кофемания.",
        "«Кофемания»",
        "Кофемания's menu",
        "в кофемании",
    ],
)
def test_inflected_forms_match(text: str) -> None:
    assert mentions(text, ["Кофемания"])


@pytest.mark.parametrize(
    "text",
    ["суперкофемания", "кофеманы любят капучино", "Кофеманияград", "кофе мания", ""],
)
def test_other_words_do_not_match(text: str) -> None:
    assert not mentions(text, ["Кофемания"])


def test_multiword_latin_and_fleeting_vowel() -> None:
    matcher = AliasMatcher(["Додо Пицца", "Acme", "Перекрёсток", "МТС"])
    assert matcher.find("заказал в Додо-Пицце") == "Додо Пицца"
    assert matcher.find("Acme's support") == "Acme"
    assert matcher.find("acmetools") is None
    assert matcher.find("у Перекрестка") == "Перекрёсток"
    assert matcher.find("МТС снова") == "МТС"
    assert matcher.find("мтсовский") is None
    assert not AliasMatcher([])


def test_unknown_kind_lists_known_ones() -> None:
    with pytest.raises(ConfigError, match="known kinds: rss, appstore, google_play"):
        registry.create(SourceSpec("myspace", "https://myspace.com"), None)  # type: ignore[arg-type]


def test_every_kind_is_importable_and_named() -> None:
    for kind in registry.kinds():
        assert registry.source_class(kind).kind == kind


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("javascript:alert(1)", None),
        ("https://example.com/about", None),
        ("https://apps.apple.com/us/app/slack/id618783545", "appstore"),
        ("https://play.google.com/store/apps/details?id=com.slack&hl=en", "google_play"),
        ("https://www.reddit.com/r/moscow/", "reddit"),
        ("https://news.ycombinator.com/item?id=1", "hackernews"),
        ("https://example.com/blog/feed/", "rss"),
    ],
)
def test_detect(url: str, kind: str | None) -> None:
    assert registry.detect(url) == kind


class _Broken(Source):
    kind = "broken"

    async def fetch_page(self, token, *, etag, last_modified):  # type: ignore[no-untyped-def]
        return await self.fetcher.get(self.spec.url, source=self.kind)

    def parse(self, response: FetchResponse) -> Page:
        return Page([ScrapedItem("1", None, "x", published_at=datetime.now(UTC))], next={}["x"])


async def test_unexpected_parser_exception_becomes_parse_error(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    site_server.add("/p", b"<html></html>")
    with pytest.raises(ParseError, match="unexpected KeyError.*layout changed") as caught:
        await _Broken(SourceSpec("broken", site_server.url("/p")), fetcher).poll(PollState())
    assert isinstance(caught.value.__cause__, KeyError)
    assert caught.value.source == "broken"
    response = FetchResponse(200, "file:///saved.html", b"<html></html>", "text/html")
    with pytest.raises(ParseError, match="unexpected KeyError") as caught:
        _Broken(SourceSpec("broken", ""), fetcher).parse_safely(response)
    assert caught.value.url == "file:///saved.html"


@pytest.mark.parametrize(
    ("spec_url", "options", "expected"),
    [
        ("https://www.reddit.com/r/moscow/", {}, "https://www.reddit.com"),
        ("https://old.reddit.com/r/moscow/", {}, "https://www.reddit.com"),
        ("reddit.com/r/moscow/", {}, "https://www.reddit.com"),
        ("http://127.0.0.1:8080/r/moscow/", {}, "http://127.0.0.1:8080"),
        ("https://notreddit.com/r/moscow/", {}, "https://notreddit.com"),
        ("https://www.reddit.com/r/moscow/", {"api_base": "http://mirror/"}, "http://mirror"),
    ],
)
def test_base_url_public_domain_origin_or_option(
    spec_url: str, options: dict[str, str], expected: str, fetcher: Fetcher
) -> None:
    source = registry.create(SourceSpec("reddit", spec_url, options=options), fetcher)
    assert source.base_url("https://www.reddit.com/", ("reddit.com",)) == expected


def test_cursor_round_trip_and_knows() -> None:
    when = datetime(2026, 6, 1, tzinfo=UTC)
    untitled = ScrapedItem(None, None, "no id here", author="Anna")
    cursor = Cursor(("a", item_key(untitled)))
    again = Cursor.decode(cursor.encode())
    assert again == cursor
    assert again.knows(ScrapedItem("a", None, "", published_at=when))
    assert not again.knows(ScrapedItem("b", None, "", published_at=when))  # same second, new id
    # An older date is no proof of being known: sites publish moderated reviews late.
    assert not again.knows(
        ScrapedItem("c", None, "", published_at=datetime(2026, 5, 1, tzinfo=UTC))
    )
    assert again.knows(ScrapedItem(None, None, "no id here", author="Anna"))
    assert Cursor.decode("not json") is None
    # A cursor written before keys were remembered still knows its ids.
    legacy = Cursor.decode(
        '{"newest": "2026-06-01T00:00:00+00:00", "ids": ["x"], "undated": ["u"]}'
    )
    assert legacy == Cursor(("x", "u"))
    remembered = Cursor(("old",)).after(["k"] * 3 + [str(n) for n in range(2000)]).seen
    assert remembered[:2] == ("k", "0") and len(remembered) == 1000
