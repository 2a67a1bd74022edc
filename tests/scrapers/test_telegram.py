"""Telegram channel preview pages (t.me/s/CHANNEL) through the real fetch path."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scrapers import registry
from scrapers.base import Cursor
from scrapers.errors import ParseError
from scrapers.fetch import Fetcher
from scrapers.records import PollState, SourceSpec
from scrapers.sources.telegram import views_count
from tests.fakes.site_server import SiteServer
from tests.scrapers.conftest import page

CHANNEL = "/s/coffee_review_msk"


def serve(server: SiteServer) -> None:
    server.add(CHANNEL, page("telegram", "channel_page_before_118.html"), query={"before": "118"})
    server.add(CHANNEL, page("telegram", "channel_page.html"))


def source(server: SiteServer, fetcher: Fetcher, aliases=("Кофемания", "Coffeemania")):
    spec = SourceSpec("telegram", server.url("/coffee_review_msk"), aliases=aliases)
    return registry.create(spec, fetcher)


async def test_posts_mentioning_brand_across_pages(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    serve(site_server)
    result = await source(site_server, fetcher).poll(PollState())
    assert [i.external_id for i in result.items] == [
        "coffee_review_msk/122",
        "coffee_review_msk/121",
        "coffee_review_msk/119",
        "coffee_review_msk/101",
    ]
    newest, reply, signed = result.items[0], result.items[1], result.items[2]
    assert newest.url == "https://t.me/coffee_review_msk/122"
    assert newest.text == "Coffeemania запускает летнее меню: холодный брю и лимонады."
    assert newest.published_at == datetime(2026, 6, 14, 10, 30, 45, tzinfo=UTC)
    assert newest.extra == {"views": "2100", "forwarded_from": "Coffeemania News"}
    assert newest.author == "Кофейный обозреватель"
    # The quoted post is not part of the reply's own text.
    assert reply.text == "Отвечаю на вопрос: да, в Кофеманию можно с собакой."
    assert reply.extra["views"] == "15000"
    assert signed.author == "Анна"
    assert signed.text == (
        "В Кофемании на Кудринской ждали капучино 25 минут.\nБариста извинился, но осадочек остался."
    )
    assert [r.query for r in site_server.requests] == [{}, {"before": "118"}]


async def test_second_poll_stops_at_known_post(site_server: SiteServer, fetcher: Fetcher) -> None:
    serve(site_server)
    everything = await source(site_server, fetcher, aliases=()).poll(PollState())
    new = "coffee_review_msk/122"
    known = Cursor(tuple(i.external_id or "" for i in everything.items if i.external_id != new))
    calls = len(site_server.requests)
    result = await source(site_server, fetcher).poll(
        PollState(cursor=known.encode(), backfilled=True)
    )
    assert [i.external_id for i in result.items] == [new]
    assert "coffee_review_msk/121" in [i.external_id for i in result.listed]
    assert len(site_server.requests) == calls + 2  # the page with the new post, then the overlap


async def test_without_aliases_every_text_post(site_server: SiteServer, fetcher: Fetcher) -> None:
    serve(site_server)
    result = await source(site_server, fetcher, aliases=()).poll(PollState(), backfill_limit=4)
    # Media-only post 120 has no text and is skipped.
    assert [i.external_id.split("/")[1] for i in result.items] == ["122", "121", "119", "118"]
    assert result.items[3].text.endswith("очередь на улицу ☕")


async def test_channel_without_preview_is_parse_error(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    site_server.add(CHANNEL, page("telegram", "no_preview.html"))
    with pytest.raises(ParseError, match="no channel preview"):
        await source(site_server, fetcher).poll(PollState())


async def test_truncated_page_is_parse_error_not_zero_posts(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    site_server.add(CHANNEL, page("telegram", "channel_page.html")[:400])
    with pytest.raises(ParseError):
        await source(site_server, fetcher).poll(PollState())


def test_views_and_detect() -> None:
    assert [views_count(v) for v in ("987", "1.2K", "15K", "3.4M", "n/a")] == [
        987,
        1200,
        15000,
        3400000,
        None,
    ]
    assert registry.detect("https://t.me/coffee_review_msk") == "telegram"
    assert registry.detect("https://t.me/s/coffee_review_msk") == "telegram"
