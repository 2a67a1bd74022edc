"""RSS / Atom feeds through the real fetch path: alias filtering, encodings, 304, recordings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from scrapers import registry
from scrapers.errors import AntiBotPage, ParseError
from scrapers.fetch import Fetcher
from scrapers.records import PollState, SourceSpec
from tests.fakes.site_server import SiteServer
from tests.scrapers.conftest import page, shared_fixture

ALIASES = ("Кофемания", "Coffeemania")


def rss(server: SiteServer, fetcher: Fetcher, path: str = "/feed.rss", aliases=ALIASES):
    return registry.create(SourceSpec("rss", server.url(path), aliases=aliases), fetcher)


async def test_windows_1251_feed_filtered_by_inflected_alias(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    site_server.add(
        "/feed.rss", page("rss", "news_windows1251.rss"), content_type="application/rss+xml"
    )
    result = await rss(site_server, fetcher).poll(PollState())
    assert [i.external_id for i in result.items] == ["news-example-88121", "news-example-88118"]
    first = result.items[0]
    assert first.title == "В Кофемании на Никитской сменили меню"
    assert first.text == "Сеть Кофемания обновила летнее меню.\nГости жалуются на цены."
    assert first.url == "https://news.example.ru/2026/06/14/menu"
    assert first.author == "Ирина Смирнова"
    assert first.published_at == datetime(2026, 6, 14, 12, 10, tzinfo=timezone(timedelta(hours=3)))
    assert first.extra == {"feed": "Городские новости", "categories": "Еда"}
    assert "Кофеманиях" in result.items[1].text  # content:encoded wins over description


async def test_google_alerts_links_unwrapped(site_server: SiteServer, fetcher: Fetcher) -> None:
    site_server.add(
        "/alerts/feeds/1/2", page("rss", "google_alerts.atom"), content_type="application/atom+xml"
    )
    result = await rss(site_server, fetcher, "/alerts/feeds/1/2").poll(PollState())
    assert [(i.url, i.title) for i in result.items] == [
        (
            "https://city.example.ru/news/delivery-123",
            "Гости Кофемании пожаловались на долгую доставку",
        ),
        ("https://gulf.example.com/coffeemania-dubai", "Coffeemania opens in Dubai"),
    ]
    assert result.items[1].published_at == datetime(2026, 6, 13, 21, 5, tzinfo=UTC)


async def test_conditional_poll_304(site_server: SiteServer, fetcher: Fetcher) -> None:
    body = page("rss", "google_alerts.atom")
    site_server.add("/f.atom", b"", status=304, headers={"ETag": '"a1"'}, query={}, times=None)
    state = PollState(
        cursor=None, etag='"a1"', last_modified="Sun, 14 Jun 2026 08:41:02 GMT", backfilled=True
    )
    result = await rss(site_server, fetcher, "/f.atom").poll(state)
    assert result.not_modified and result.items == [] and result.state == state
    assert site_server.requests[0].headers["If-None-Match"] == '"a1"'
    assert body  # the feed exists; the server chose not to send it


async def test_etag_kept_and_second_poll_returns_only_new(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    site_server.add(
        "/f.atom",
        page("rss", "google_alerts.atom"),
        headers={"ETag": '"a1"'},
        content_type="application/atom+xml",
    )
    source = rss(site_server, fetcher, "/f.atom")
    first = await source.poll(PollState())
    assert first.state.etag == '"a1"' and len(first.items) == 2
    again = await source.poll(first.state)
    assert again.items == []


async def test_html_page_instead_of_feed_is_parse_error(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    site_server.add("/feed.rss", "<html><body><p>Мы переехали</p></body></html>")
    with pytest.raises(ParseError, match="not an RSS/Atom feed"):
        await rss(site_server, fetcher).poll(PollState())


async def test_cut_off_feed_is_parse_error(site_server: SiteServer, fetcher: Fetcher) -> None:
    body = page("rss", "google_alerts.atom")
    site_server.add("/feed.rss", body[: len(body) // 2], content_type="application/atom+xml")
    with pytest.raises(ParseError, match="cut off"):
        await rss(site_server, fetcher).poll(PollState())


async def test_cloudflare_wall_is_antibot(site_server: SiteServer, fetcher: Fetcher) -> None:
    site_server.add(
        "/feed.rss",
        "<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>",
        status=403,
    )
    with pytest.raises(AntiBotPage):
        await rss(site_server, fetcher).poll(PollState())


@pytest.mark.parametrize(
    ("name", "count", "first_title", "first_date"),
    [
        ("huginn_onethingwell.rss", 20, "CSVfix", datetime(2015, 8, 20, 16, 0, 10, tzinfo=UTC)),
        (
            "huginn_slickdeals.atom",
            79,
            "PC Games: Tomb Raider: Game of the Year $6, Hitman Absolution: Elite Edition $5 & More",
            datetime(2014, 9, 13, 18, 13, 44, tzinfo=UTC),
        ),
    ],
)
async def test_real_recorded_feeds(
    site_server: SiteServer,
    fetcher: Fetcher,
    name: str,
    count: int,
    first_title: str,
    first_date: datetime,
) -> None:
    site_server.add("/feed.rss", shared_fixture(f"rss/{name}"), content_type="application/rss+xml")
    result = await rss(site_server, fetcher, aliases=()).poll(PollState())
    assert len(result.items) == count
    assert result.items[0].title == first_title
    assert result.items[0].published_at == first_date
    assert all(i.url and i.external_id for i in result.items)


async def test_recorded_feedburner_keeps_original_links(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    site_server.add(
        "/feed.rss",
        shared_fixture("rss/huginn_slickdeals.atom"),
        content_type="application/rss+xml",
    )
    result = await rss(site_server, fetcher, aliases=("Tomb Raider",)).poll(PollState())
    assert [i.url for i in result.items][:1] == [
        "http://slickdeals.net/permadeal/130160/green-man-gaming---pc-games-tomb-raider-game-of-the-year-6-hitman-absolution-elite-edition"
    ]


def test_detect_feed_urls() -> None:
    assert registry.detect("https://news.example.ru/rss/") == "rss"
    assert registry.detect("https://www.google.com/alerts/feeds/0123/4567") == "rss"
    assert registry.detect("https://blog.example.com/feed.xml") == "rss"
    assert registry.detect("ftp://blog.example.com/feed.xml") is None
