"""App Store reviews feed, served by the local site server in Apple's JSON structure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from scrapers import registry
from scrapers.base import Cursor
from scrapers.errors import ParseError
from scrapers.fetch import Fetcher
from scrapers.records import PollState, SourceSpec
from tests.fakes.site_server import SiteServer
from tests.scrapers.conftest import page

FEED = "/ru/rss/customerreviews/page={n}/id=1234567890/sortby=mostrecent/json"


def serve(server: SiteServer) -> None:
    for n, name in (
        (1, "reviews_page1.json"),
        (2, "reviews_page2.json"),
        (3, "reviews_page3_empty.json"),
    ):
        server.add(FEED.format(n=n), page("appstore", name), content_type="application/json")


def source(server: SiteServer, fetcher: Fetcher, **options: str):
    spec = SourceSpec("appstore", server.url("/ru/app/coffeemania/id1234567890"), options=options)
    return registry.create(spec, fetcher)


async def test_first_poll_reads_all_pages_field_by_field(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    serve(site_server)
    result = await source(site_server, fetcher).poll(PollState())
    assert [i.external_id for i in result.items] == [
        "11223344556",
        "11223344550",
        "11223344541",
        "11223344530",
        "11223344522",
    ]
    first = result.items[0]
    assert first.author == "Анна К."
    assert first.rating == 1.0
    assert first.title == "Не работает оплата"
    assert (
        first.text == "После обновления не проходит оплата картой.\nПоддержка молчит третий день."
    )
    assert first.published_at == datetime(
        2026, 6, 14, 2, 40, 11, tzinfo=timezone(timedelta(hours=-7))
    )
    assert first.extra == {
        "version": "5.12.0",
        "vote_sum": "3",
        "vote_count": "4",
        "author_uri": "https://itunes.apple.com/ru/reviews/id501",
    }
    assert first.reply is None
    assert result.items[1].text == "Fast delivery & friendly couriers 👍"
    assert result.items[1].rating == 5.0
    assert result.items[4].published_at.astimezone(UTC) == datetime(2026, 6, 1, 14, 0, tzinfo=UTC)
    assert result.state.backfilled
    assert [r.path for r in site_server.requests] == [FEED.format(n=n) for n in (1, 2, 3)]


async def test_later_poll_stops_at_known_review(site_server: SiteServer, fetcher: Fetcher) -> None:
    serve(site_server)
    everything = await source(site_server, fetcher).poll(PollState())
    old = tuple(i.external_id or "" for i in everything.items if i.external_id != "11223344556")
    state = PollState(cursor=Cursor(old).encode(), backfilled=True)
    calls = len(site_server.requests)
    result = await source(site_server, fetcher).poll(state)
    assert [i.external_id for i in result.items] == ["11223344556"]
    assert len(result.listed) == len(old)
    # The first page brought something new, the second nothing, the third is the overlap.
    assert len(site_server.requests) == calls + 3
    remembered = Cursor.decode(result.state.cursor)
    assert remembered is not None and remembered.seen[0] == "11223344556"


async def test_backfill_limit_and_since(site_server: SiteServer, fetcher: Fetcher) -> None:
    serve(site_server)
    limited = await source(site_server, fetcher).poll(PollState(), backfill_limit=2)
    assert len(limited.items) == 2
    assert len(site_server.requests) == 1
    since = datetime(2026, 6, 12, tzinfo=UTC)
    recent = await source(site_server, fetcher).poll(PollState(), backfill_since=since)
    assert [i.external_id for i in recent.items] == ["11223344556", "11223344550", "11223344541"]


async def test_single_review_object_and_options(site_server: SiteServer, fetcher: Fetcher) -> None:
    path = "/us/rss/customerreviews/page=1/id=1234567890/sortby=mostrecent/json"
    site_server.add(path, page("appstore", "single_review.json"), content_type="application/json")
    spec = SourceSpec(
        "appstore",
        "https://apps.apple.com/ru/app/x/id1",
        options={
            "api_base": site_server.origin,
            "country": "us",
            "app_id": "1234567890",
            "max_pages": "1",
        },
    )
    result = await registry.create(spec, fetcher).poll(PollState())
    assert [(i.external_id, i.author, i.rating) for i in result.items] == [
        ("99887766", "Kate", 4.0)
    ]


async def test_missing_feed_object_is_parse_error(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    site_server.add(FEED.format(n=1), b'{"errors": []}', content_type="application/json")
    with pytest.raises(ParseError, match="layout changed"):
        await source(site_server, fetcher).poll(PollState())


async def test_truncated_json_is_parse_error(site_server: SiteServer, fetcher: Fetcher) -> None:
    body = page("appstore", "reviews_page1.json")[:3000]
    site_server.add(FEED.format(n=1), body, content_type="application/json")
    with pytest.raises(ParseError, match="not JSON"):
        await source(site_server, fetcher).poll(PollState())


def test_detect() -> None:
    assert registry.detect("https://apps.apple.com/ru/app/sberbank/id492224193") == "appstore"
