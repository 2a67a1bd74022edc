"""One hostile review never poisons a source: control characters, lone surrogates and
oversized fields are made storable at the parser boundary, and an item the database still
refuses is left out, reported, while its neighbours are stored and alerted.
Both on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.notices import render_notice
from otklik.app import open_runtime
from otklik.pipeline import Pipeline
from otklik.scheduler import Scheduler
from otklik.settings import Settings
from scrapers.records import ScrapedItem
from scrapers.sanitise import clean_item
from storage.models import Mention, OutboxMessage, Source, SourceEvent
from storage.repositories.outbox import due_messages
from storage.repositories.sources import list_sources
from tests.fakes.listed_source import ListedSource
from tests.fakes.site_server import SiteServer

OWNER = 515151
ANGRY = "Coffeemania: грубый официант, ждали час, ужасно, больше не придём"


@pytest.fixture
async def site_server() -> AsyncIterator[SiteServer]:
    server = SiteServer()
    await server.start()
    yield server
    await server.close()


def hn_answer(hits: list[dict[str, object]]) -> str:
    return json.dumps({"hits": hits, "page": 0, "nbPages": 1})


def hit(object_id: str, text: str, *, author: str = "guest", age_hours: int = 1) -> dict:
    created = datetime.now(UTC) - timedelta(hours=age_hours)
    return {
        "objectID": object_id,
        "author": author,
        "comment_text": text,
        "created_at_i": int(created.timestamp()),
        "_tags": ["comment"],
    }


def settings_for(tmp_path: Path, db_url: str, url: str) -> Settings:
    config = tmp_path / "otklik.toml"
    config.write_text(
        f'[[brands]]\nname = "Coffeemania"\nowners = [{OWNER}]\nwork_hours = "00:00-00:00"\n'
        f'[[brands.sources]]\nkind = "hackernews"\nurl = "{url}"\ninterval = "1m"\n',
        encoding="utf-8",
    )
    return Settings(
        database_url=db_url,
        config=config,
        sentiment_model="keywords",
        http_timeout=1,
        http_retries=0,
        http_per_host_rate=1000,
        _env_file=None,  # type: ignore[call-arg]
    )


async def test_nul_surrogates_and_long_ids_are_stored_beside_ordinary_reviews(
    tmp_path: Path, db_url: str, site_server: SiteServer
) -> None:
    path = "/api/v1/search_by_date"
    site_server.add(path, hn_answer([hit("old", "Coffeemania opened", age_hours=30)]), times=1)
    site_server.add(
        path,
        hn_answer(
            [
                hit("1", ANGRY),
                hit("2", "Coffeemania\x00 плохо\x07 обслужили, ужасно", author="nul\x00author"),
                hit("3", "Coffeemania \ud800 отвратительно, грубо, ужасно"),
                hit("9" * 400, "Coffeemania: ужасно долго и грубо"),
            ]
        ),
        content_type="application/json",
    )
    settings = settings_for(tmp_path, db_url, site_server.url(path + "?query=Coffeemania"))

    async with open_runtime(settings) as runtime:
        scheduler = Scheduler(runtime.sessionmaker, runtime.pipeline)
        await scheduler.poll_all()  # first poll: history
        [report] = await scheduler.poll_all()
        async with runtime.sessionmaker() as session:
            stored = {
                m.external_id: m
                for m in await session.scalars(select(Mention).where(Mention.backfill.is_(False)))
            }
            source = (await session.scalars(select(Source))).one()
            alerts = (
                await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "alert"))
            ).all()

    assert report.error is None and report.rejected == []
    assert len(stored) == 4
    assert stored["2"].author == "nulauthor" and "\x00" not in stored["2"].text
    assert "\x07" not in stored["2"].text
    assert "\ud800" not in stored["3"].text
    long_id = next(key for key in stored if key and key.startswith("999"))
    assert len(long_id) <= 300
    assert source.health == "ok" and source.last_error is None
    assert len(alerts) == 4  # every negative review reaches the owner


async def test_an_item_the_database_refuses_is_reported_and_the_rest_are_stored(
    tmp_path: Path, db_url: str
) -> None:
    now = datetime.now(UTC)
    good = ScrapedItem("good", "https://example.com/good", ANGRY, published_at=now)
    bad = ScrapedItem(
        "b" * 500, "https://example.com/" + "x" * 3000, "Coffeemania\x00 ужасно", author="\x00"
    )
    settings = settings_for(tmp_path, db_url, "https://hn.algolia.com/api/v1/search_by_date?q=x")
    async with open_runtime(settings) as runtime:
        async with runtime.sessionmaker.begin() as session:
            row = (await session.scalars(select(Source))).one()
            row.backfilled = True
        pipeline = Pipeline(
            runtime.sessionmaker,
            # A site whose parser let through what the sanitiser would have cleaned.
            lambda _spec: ListedSource([good, bad]),
            runtime.pipeline._classifier,
        )
        async with runtime.sessionmaker() as session:
            [record] = await list_sources(session)
        report = await pipeline.poll(record)
        async with runtime.sessionmaker() as session:
            stored = [m.external_id for m in await session.scalars(select(Mention))]
            source = (await session.scalars(select(Source))).one()
            notices = (
                await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "health"))
            ).all()
            events = (
                await session.scalars(select(SourceEvent).where(SourceEvent.kind == "rejected"))
            ).all()
            alerts = (
                await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "alert"))
            ).all()
            due = await due_messages(session, datetime.now(UTC) + timedelta(days=1))
            told = [await render_notice(session, m, "ru") for m in due if m.kind == "health"]

    assert report.error is None and "good" in stored
    assert len(alerts) >= 1 and source.cursor == "c"  # the poll moved on
    if runtime.settings.database_url.startswith("postgresql"):
        # PostgreSQL refuses NUL and a 500-character id: left out, told, the rest stored.
        assert report.rejected == ["b" * 300] and stored == ["good"]
        assert len(events) == 1 and "could not be stored" in (source.last_error or "")
        assert [n.chat_id for n in notices] == [OWNER]
        assert "не удалось сохранить отзывов: 1 (bbbb" in told[0]
        assert "остальные сохранены" in told[0]
    else:  # SQLite takes anything: nothing to report
        assert report.rejected == [] and len(stored) == 2 and notices == []


def test_clean_item_makes_any_field_storable() -> None:
    item = clean_item(
        ScrapedItem(
            external_id="i" * 1000,
            url="https://example.com/" + "x" * 3000,
            text="a\x00b\x1fc\ud800d\r\ne\tf",
            author="x" * 1000,
            title="t\x00",
            reply="r\x7f",
            language="toolong-language",
            extra={"k\x00": "v\x00"},
        )
    )
    assert item.text == "abcd\ne\tf" and item.title == "t" and item.reply == "r"
    assert len(item.external_id or "") == 300 and item.url is None
    assert item.author is not None and len(item.author) == 300 and item.author.endswith("…")
    assert item.language is None and item.extra == {"k": "v"}
    again = clean_item(ScrapedItem("i" * 1000, None, ""))
    assert again.external_id == item.external_id  # still a stable id
