"""Reddit search listings and Hacker News (Algolia) search through the real fetch path."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scrapers import registry
from scrapers.base import Cursor
from scrapers.errors import ParseError, RateLimited, SourceConfigError
from scrapers.fetch import Fetcher
from scrapers.records import PollState, SourceSpec
from tests.fakes.site_server import SiteServer
from tests.scrapers.conftest import page, shared_fixture

ALIASES = ("Кофемания", "Coffeemania")
JSON = "application/json"


def reddit(server: SiteServer, fetcher: Fetcher, path: str = "/search/", aliases=ALIASES):
    return registry.create(SourceSpec("reddit", server.url(path), aliases=aliases), fetcher)


def serve_reddit(server: SiteServer) -> None:
    server.add(
        "/search.json",
        page("reddit", "search_page2.json"),
        content_type=JSON,
        query={"after": "t3_1dc0b2"},
    )
    server.add("/search.json", page("reddit", "search_page1.json"), content_type=JSON)


async def test_reddit_search_pages_and_alias_filter(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    serve_reddit(site_server)
    result = await reddit(site_server, fetcher).poll(PollState())
    assert [i.external_id for i in result.items] == [
        "t3_1dfk3z",
        "t3_1de7aa",
        "t3_1d9q01",
        "t3_1d8p77",
    ]
    first = result.items[0]
    assert first.title == "Кофемания на Патриарших — стоит ли идти?"
    assert first.text.startswith("Был вчера в Кофемании: капучино 650 ₽")
    assert first.author == "throwaway_msk"
    assert (
        first.url
        == "https://www.reddit.com/r/moscow/comments/1dfk3z/кофемания_на_патриарших_—_стои/"
    )
    assert first.published_at == datetime(2026, 6, 14, 10, 0, tzinfo=UTC)
    assert first.extra["subreddit"] == "moscow" and first.extra["score"] == "42"
    assert result.items[2].text == "Открыли новую Кофеманию у метро"  # link post: title is the text
    query = site_server.requests[0].query
    assert query["q"] == '"Кофемания" OR "Coffeemania"'
    assert query["sort"] == "new" and query["raw_json"] == "1"


async def test_reddit_subreddit_search_and_known_stop(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    site_server.add("/r/moscow/search.json", page("reddit", "search_page1.json"), content_type=JSON)
    everything = await reddit(site_server, fetcher, "/r/moscow/").poll(PollState())
    known = Cursor(
        tuple(i.external_id or "" for i in everything.items if i.external_id != "t3_1dfk3z")
    )
    state = PollState(cursor=known.encode(), backfilled=True)
    calls = len(site_server.requests)
    result = await reddit(site_server, fetcher, "/r/moscow/").poll(state)
    assert [i.external_id for i in result.items] == ["t3_1dfk3z"]
    assert site_server.requests[-1].query["restrict_sr"] == "1"
    # The local server answers every page with the same listing: the page with the new post,
    # then two with nothing new (the overlap), then stop.
    assert len(site_server.requests) == calls + 3


async def test_reddit_429_with_retry_after(site_server: SiteServer, fetcher: Fetcher) -> None:
    site_server.add(
        "/search.json", b"{}", status=429, content_type=JSON, headers={"Retry-After": "7"}
    )
    with pytest.raises(RateLimited) as caught:
        await reddit(site_server, fetcher).poll(PollState())
    assert caught.value.retry_after == 7
    assert caught.value.source == "reddit"


async def test_reddit_not_a_listing_is_parse_error(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    site_server.add("/search.json", b'{"message": "Forbidden", "error": 403}', content_type=JSON)
    with pytest.raises(ParseError, match="Listing"):
        await reddit(site_server, fetcher).poll(PollState())


async def test_reddit_recorded_listing(site_server: SiteServer, fetcher: Fetcher) -> None:
    site_server.add(
        "/search.json", shared_fixture("reddit/reddit_search_listing_praw.json"), content_type=JSON
    )
    result = await reddit(site_server, fetcher, "/search/?q=praw", aliases=()).poll(PollState())
    assert len(result.items) == 6
    by_id = {i.external_id: i for i in result.items}
    first = by_id["t3_3gpbiu"]
    assert first.author == "dClauzel"
    assert (
        first.title
        == "[PRAW][OAuth2Util] Problem using get_banned() : raise Forbidden(_raw=response)"
    )
    assert (
        first.url
        == "https://www.reddit.com/r/redditdev/comments/3gpbiu/prawoauth2util_problem_using_get_banned_raise/"
    )
    assert first.published_at == datetime.fromtimestamp(1439370514, tz=UTC)
    assert first.extra["subreddit"] == "redditdev"
    assert by_id["t3_4at068"].title.startswith("たびたび話題になる")
    assert site_server.requests[0].query["q"] == "praw"


def hn(server: SiteServer, fetcher: Fetcher, aliases=ALIASES, url: str = "/"):
    return registry.create(SourceSpec("hackernews", server.url(url), aliases=aliases), fetcher)


def serve_hn(server: SiteServer) -> None:
    path = "/api/v1/search_by_date"
    server.add(
        path,
        page("hackernews", "search_by_date_page1.json"),
        content_type=JSON,
        query={"page": "1"},
    )
    server.add(
        path,
        page("hackernews", "search_by_date_page0.json"),
        content_type=JSON,
        query={"page": "0"},
    )


async def test_hn_stories_and_comments(site_server: SiteServer, fetcher: Fetcher) -> None:
    serve_hn(site_server)
    result = await hn(site_server, fetcher).poll(PollState())
    assert [i.external_id for i in result.items] == ["40611234", "40605555", "40590000"]
    comment, story, ask = result.items
    assert (
        comment.text
        == "I lived in Moscow for two years and Coffeemania was overpriced & slow.\nStill, the syrniki were great."
    )
    assert comment.title == "Ask HN: Favourite cafe chains abroad?"
    assert comment.url == "https://news.ycombinator.com/item?id=40611234"
    assert comment.author == "pg_fan"
    assert comment.published_at == datetime(2026, 6, 14, 12, 26, 40, tzinfo=UTC)
    assert comment.extra == {"story_id": "40610000", "type": "comment"}
    assert story.extra == {
        "points": "87",
        "comments": "45",
        "story_id": "40605555",
        "link": "https://gulf.example.com/coffeemania-funding",
        "type": "story",
    }
    assert story.text == "Coffeemania raises $20M to expand to the Gulf"
    assert ask.text == "Their app's API seems undocumented."
    first_query = site_server.requests[0].query
    assert first_query["query"] == "Кофемания Coffeemania"
    assert first_query["optionalWords"] == "Кофемания Coffeemania"
    assert first_query["tags"] == "(story,comment)"


async def test_hn_query_from_url_and_stop_at_known(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    serve_hn(site_server)
    everything = await hn(site_server, fetcher, url="/?q=Coffeemania").poll(PollState())
    known = Cursor(
        tuple(i.external_id or "" for i in everything.items if i.external_id != "40611234")
    )
    state = PollState(cursor=known.encode(), backfilled=True)
    calls = len(site_server.requests)
    result = await hn(site_server, fetcher, url="/?q=Coffeemania").poll(state)
    assert [i.external_id for i in result.items] == ["40611234"]
    assert "optionalWords" not in site_server.requests[-1].query
    assert len(site_server.requests) - calls == calls  # one page with news, one overlap


async def test_hn_error_object_is_parse_error(site_server: SiteServer, fetcher: Fetcher) -> None:
    site_server.add(
        "/api/v1/search_by_date", b'{"message":"Invalid","status":400}', content_type=JSON
    )
    with pytest.raises(ParseError, match="hits"):
        await hn(site_server, fetcher).poll(PollState())


def test_detect_reddit_and_hn() -> None:
    assert registry.detect("https://www.reddit.com/r/moscow/search/?q=x") == "reddit"
    assert registry.detect("https://hn.algolia.com/?q=coffeemania") == "hackernews"


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        ("reddit", "https://www.reddit.com/r/coffee/"),
        ("hackernews", "https://hn.algolia.com/api/v1/search_by_date"),
        ("telegram", "https://t.me/joinchat/AbCdEf"),
    ],
)
async def test_a_source_without_query_or_channel_is_misconfigured_not_a_changed_layout(
    site_server: SiteServer, fetcher: Fetcher, kind: str, url: str
) -> None:
    spec = SourceSpec(kind, url, options={"api_base": site_server.origin})
    with pytest.raises(SourceConfigError) as caught:
        await registry.create(spec, fetcher).poll(PollState())
    assert not isinstance(caught.value, ParseError)
    assert caught.value.source == kind and "layout" not in str(caught.value)
    with pytest.raises(SourceConfigError):
        registry.check(spec)
    assert site_server.requests == []


def test_a_whole_number_option_that_is_not_one_is_misconfigured() -> None:
    spec = SourceSpec("hackernews", "https://hn.algolia.com/?q=x", options={"max_pages": "ten"})
    with pytest.raises(SourceConfigError, match="option max_pages='ten' is not a whole number"):
        registry.check(spec)
