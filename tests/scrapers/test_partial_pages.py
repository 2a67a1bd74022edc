"""One malformed entry never costs the page: the others are stored, the bad one is reported.

The same mechanism (scrapers.entries.read_entries) serves every source; these tests go through a
parser of each family and, once, through the whole loop to the source's health history.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from common.vocabulary import SourceEventKind
from otklik.app import open_database
from scrapers import registry
from scrapers.errors import ParseError
from scrapers.fetch import FetchResponse
from scrapers.records import SourceSpec
from storage.models import Mention, SourceEvent
from tests.core.test_loop import scan, settings_for
from tests.fakes.site_server import SiteServer
from tests.scrapers.conftest import page


def _appstore_page(*, recent: bool = False) -> bytes:
    data = json.loads(page("appstore", "reviews_page2.json"))
    data["feed"]["entry"][1]["im:rating"]["label"] = "seven"
    if recent:  # inside the first poll's 30-day history window
        for hours, entry in enumerate(data["feed"]["entry"], start=1):
            moment = datetime.now(UTC) - timedelta(hours=hours)
            entry["updated"] = {"label": moment.isoformat(timespec="seconds")}
    return json.dumps(data, ensure_ascii=False).encode()


def _twogis_page() -> bytes:
    data = json.loads(page("twogis", "branch_reviews_page1.json"))
    data["reviews"][2]["date_created"] = "вчера"
    return json.dumps(data, ensure_ascii=False).encode()


def _telegram_page() -> bytes:
    html = page("telegram", "channel_page.html").decode()
    # The first post loses its time: it cannot be dated, the rest can.
    return html.replace("<time datetime=", "<time data-x=", 1).encode()


def _trustpilot_page() -> bytes:
    html = page("trustpilot", "review_page1.html").decode()
    return html.replace('"rating": 1,', '"rating": 9,', 1).encode()


def _hackernews_page() -> bytes:
    data = json.loads(page("hackernews", "search_by_date_page0.json"))
    data["hits"][1]["objectID"] = None
    return json.dumps(data).encode()


def _reddit_page() -> bytes:
    data = json.loads(page("reddit", "search_page1.json"))
    del data["data"]["children"][2]["data"]["created_utc"]
    return json.dumps(data).encode()


ORIGINALS = {
    "appstore": ("appstore", "reviews_page2.json"),
    "twogis": ("twogis", "branch_reviews_page1.json"),
    "telegram": ("telegram", "channel_page.html"),
    "trustpilot": ("trustpilot", "review_page1.html"),
    "hackernews": ("hackernews", "search_by_date_page0.json"),
    "reddit": ("reddit", "search_page1.json"),
}


@pytest.mark.parametrize(
    ("kind", "url", "body", "total", "position"),
    [
        (
            "trustpilot",
            "https://www.trustpilot.com/review/coffeemania.ru",
            _trustpilot_page(),
            5,
            2,
        ),
        ("hackernews", "https://hn.algolia.com/?q=coffeemania", _hackernews_page(), None, 2),
        ("reddit", "https://www.reddit.com/search/?q=coffeemania", _reddit_page(), None, 3),
        ("appstore", "https://apps.apple.com/ru/app/x/id1234567890", _appstore_page(), None, 2),
        ("twogis", "https://2gis.ru/moscow/firm/70000001006794419", _twogis_page(), 5, 3),
        ("telegram", "https://t.me/s/coffee_review_msk", _telegram_page(), None, 1),
    ],
)
def test_a_bad_entry_is_skipped_and_reported(
    kind: str, url: str, body: bytes, total: int | None, position: int, caplog
) -> None:
    source = registry.create(SourceSpec(kind, url), None)  # type: ignore[arg-type]
    whole = registry.create(SourceSpec(kind, url), None)  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="scrapers.base"):
        parsed = source.parse_safely(FetchResponse(200, url, body))
    assert len(parsed.skipped) == 1 and parsed.skipped[0].position == position - 1
    assert parsed.site_total == total
    assert f"{kind} {url}: skipped a malformed entry {position}:" in caplog.text
    everything = whole.parse(FetchResponse(200, url, page(*ORIGINALS[kind]))).items
    assert len(parsed.items) == len(everything) - 1


def test_a_page_where_every_entry_is_bad_is_a_parse_error() -> None:
    data = json.loads(page("twogis", "branch_reviews_page1.json"))
    for review in data["reviews"]:
        review["rating"] = "n/a"
    source = registry.create(
        SourceSpec("twogis", "https://2gis.ru/moscow/firm/70000001006794419"),
        None,  # type: ignore[arg-type]
    )
    with pytest.raises(ParseError, match="none of the 3 review entries"):
        source.parse_safely(FetchResponse(200, "https://x", json.dumps(data).encode()))


async def test_skipped_entries_are_counted_in_the_source_health(
    tmp_path: Path, site_server: SiteServer
) -> None:
    feed = "/ru/rss/customerreviews/page={n}/id=1234567890/sortby=mostrecent/json"
    site_server.add(feed.format(n=1), _appstore_page(recent=True), content_type="application/json")
    site_server.add(
        feed.format(n=2),
        page("appstore", "reviews_page3_empty.json"),
        content_type="application/json",
    )
    config = tmp_path / "otklik.toml"
    config.write_text(
        '[[brands]]\nname = "Кофемания"\nowners = [1]\n'
        f'[[brands.sources]]\nurl = "{site_server.url("/ru/app/x/id1234567890")}"\n'
        'kind = "appstore"\n',
        encoding="utf-8",
    )
    [report] = await scan(settings_for(tmp_path, config))
    assert report.error is None
    assert len(report.skipped) == 1 and "im:rating 'seven' is not 1..5" in report.skipped[0]
    async with open_database(settings_for(tmp_path, config)) as database:
        async with database.sessionmaker() as session:
            stored = (await session.scalars(select(Mention))).all()
            events = (await session.scalars(select(SourceEvent))).all()
    assert len(stored) == len(report.new_mentions) >= 1
    assert [(e.kind, e.message) for e in events if e.kind == SourceEventKind.SKIPPED] == [
        (SourceEventKind.SKIPPED, f"1 malformed entries skipped: {report.skipped[0]}")
    ]
