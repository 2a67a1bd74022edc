"""The whole loop on one machine: a local site serving a feed, the real pipeline on SQLite, and
alerts that arrive in the owner's chat on a local fake Telegram Bot API server."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import select

from common.vocabulary import OutboxKind
from otklik.app import open_database, open_runtime
from otklik.pipeline import PollReport
from otklik.scheduler import Scheduler
from otklik.settings import Settings
from storage.models import Brand, Case, Mention, OutboxMessage, Source
from storage.repositories import outbox as outbox_repo
from tests.fakes.site_server import SiteServer
from tests.fakes.telegram_api import FakeTelegram

OWNER = 424242
REPO = Path(__file__).resolve().parents[2]

OLD = ("old-1", "Кофемания на Тверской открылась после ремонта", 30)
NEW = [
    (
        "new-1",
        "Ужасный сервис в Кофемании: официант нахамил, ждали сорок минут, больше не придём",
        3,
    ),
    ("new-2", "Отличный капучино в Кофемании, спасибо персоналу, всё очень понравилось", 2),
    ("new-3", "Погода сегодня хорошая, гуляли в парке", 1),  # no brand mention
]


def feed(items: list[tuple[str, str, int]]) -> str:
    now = datetime.now(UTC)
    entries = "".join(
        f'<item><guid isPermaLink="false">{guid}</guid><title>{escape(text[:40])}</title>'
        f"<link>https://news.example/{guid}</link><description>{escape(text)}</description>"
        f"<pubDate>{format_datetime(now - timedelta(hours=age))}</pubDate></item>"
        for guid, text, age in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>News</title><link>https://news.example/</link>{entries}</channel></rss>"
    )


def write_config(path: Path, urls: list[str], owners: list[int]) -> Path:
    sources = "".join(
        f'\n[[brands.sources]]\nkind = "rss"\nurl = "{url}"\ninterval = "1m"\n' for url in urls
    )
    path.write_text(
        f'[[brands]]\nname = "Кофемания"\naliases = ["Coffeemania"]\nowners = {owners}\n'
        f'response_time = "1h"\nwork_hours = "00:00-00:00"\n{sources}',
        encoding="utf-8",
    )
    return path


@pytest.fixture
async def site() -> AsyncIterator[SiteServer]:
    server = SiteServer()
    await server.start()
    yield server
    await server.close()


def settings_for(tmp_path: Path, config: Path, telegram: FakeTelegram | None = None) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'otklik.db'}",
        config=config,
        bot_token=telegram.token if telegram else None,  # type: ignore[arg-type]
        telegram_api_url=telegram.api_url if telegram else None,
        http_timeout=0.5,
        http_retries=1,
        http_backoff=0.01,
        http_per_host_rate=1000,
        http_per_host_concurrency=8,
        unhealthy_after=2,
        _env_file=None,  # type: ignore[call-arg]
    )


async def scan(settings: Settings) -> list[PollReport]:
    async with open_runtime(settings) as runtime:
        return await Scheduler(runtime.sessionmaker, runtime.pipeline).poll_all()


async def health_notices(settings: Settings, lang: str = "ru") -> list[tuple[int, str]]:
    """The queued source-health messages as the bot renders them: (chat id, text)."""
    from bot.notices import render_notice

    async with open_database(settings) as database, database.sessionmaker() as session:
        queued = await outbox_repo.due_messages(session, datetime.now(UTC) + timedelta(days=1))
        return [
            (m.chat_id, await render_notice(session, m, lang))
            for m in queued
            if m.kind == OutboxKind.HEALTH
        ]


async def test_new_reviews_become_classified_mentions_cases_and_alerts(
    tmp_path: Path, site: SiteServer, fake_telegram: FakeTelegram
) -> None:
    site.add("/feed.xml", feed([OLD]), content_type="application/rss+xml", times=1)
    site.add("/feed.xml", feed([*NEW, OLD]), content_type="application/rss+xml")
    settings = settings_for(
        tmp_path,
        write_config(tmp_path / "otklik.toml", [site.url("/feed.xml")], [OWNER]),
        fake_telegram,
    )

    first = await scan(settings)  # first poll: history, stored without alerts
    assert [len(r.new_mentions) for r in first] == [1] and first[0].alerts_queued == 0
    second = await scan(settings)
    assert sorted(m.external_id or "" for m in second[0].new_mentions) == ["new-1", "new-2"]
    labels = {m.external_id: m.sentiment_label for m in second[0].new_mentions}
    assert labels == {"new-1": "negative", "new-2": "positive"}
    assert (second[0].cases_opened, second[0].alerts_queued) == (1, 1)
    assert [len(r.new_mentions) for r in await scan(settings)] == [0]  # polling again adds nothing

    from bot.delivery import TelegramNotifier
    from bot.factory import create_bot
    from otklik.sender import Sender

    async with open_database(settings) as database:
        bot = create_bot(fake_telegram.token, fake_telegram.api_url)
        try:
            sent = await Sender(
                database.sessionmaker, TelegramNotifier(bot, database.sessionmaker)
            ).drain_once()
        finally:
            await bot.session.close()
        async with database.sessionmaker() as session:
            case = (await session.scalars(select(Case))).one()
            mention = await session.get_one(Mention, case.mention_id)
            alert = (
                await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "alert"))
            ).one()
            backlog = (
                await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "backlog"))
            ).one()
    assert sent == 2  # the alert, and the one note the source's first poll left
    note = await fake_telegram.wait_for(
        "sendMessage", chat_id=OWNER, predicate=lambda c: "/backlog" in (c.text or "")
    )
    assert "Прочитано отзывов за 30 дн.: 1, негативных без ответа: 0" in (note.text or "")
    assert backlog.payload["read"] == 1
    call = await fake_telegram.wait_for(
        "sendMessage", chat_id=OWNER, predicate=lambda c: "официант" in (c.text or "")
    )
    assert mention.external_id == "new-1" and case.status == "new"
    assert alert.status == "sent" and alert.sent_message_id == call.result["message_id"]


async def test_bad_sources_give_clear_errors_and_the_others_keep_going(
    tmp_path: Path, site: SiteServer
) -> None:
    site.add("/good.xml", feed([OLD]), content_type="application/rss+xml")
    site.add("/error.xml", "oops", status=500)
    site.add_handler("/slow.xml", SiteServer.slow(1.5))
    site.add("/page.xml", "<html><body><h1>Welcome to our shop</h1></body></html>")
    urls = [site.url(p) for p in ("/good.xml", "/error.xml", "/slow.xml", "/page.xml")]
    urls.append("http://127.0.0.1:9/feed.xml")  # nothing listens on the discard port
    settings = settings_for(tmp_path, write_config(tmp_path / "otklik.toml", urls, [OWNER]))

    reports = {r.source.url: r for r in await scan(settings)}
    assert reports[urls[0]].error is None and len(reports[urls[0]].new_mentions) == 1
    assert "500" in (reports[urls[1]].error or "")
    assert (
        "timed out" in (reports[urls[2]].error or "").lower()
        or "timeout" in (reports[urls[2]].error or "").lower()
    )
    assert "feed" in (reports[urls[3]].error or "").lower()
    assert "connect" in (reports[urls[4]].error or "").lower()

    await scan(settings)  # second failure in a row: unhealthy, the owner is told once
    await scan(settings)
    async with open_database(settings) as database, database.sessionmaker() as session:
        health = dict((await session.execute(select(Source.url, Source.health))).all())
    told = await health_notices(settings)
    assert health[urls[0]] == "ok"
    assert health[urls[1]] == "unhealthy" and health[urls[3]] == "parser_broken"
    # Four broken sources, one message each, to the owner, naming the source.
    named = sorted(url for url in urls for _, text in told if url in text)
    assert named == sorted(urls[1:]) and {chat for chat, _ in told} == {OWNER}
    assert all(text.startswith("⚠️") for _, text in told)


def _sent_messages(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT count(*) FROM outbox WHERE status = 'sent'").fetchone()[0]


async def _wait_for(predicate: Callable[[], bool], deadline: float = 120.0) -> None:
    # Generous: a process start on a loaded 2-core machine takes tens of seconds; a hang still fails.
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while not predicate():
        if loop.time() > end:
            raise AssertionError("condition not met before the deadline")
        await asyncio.sleep(0.05)


async def test_killed_between_store_and_send_then_restarted_delivers_each_alert_once(
    tmp_path: Path, site: SiteServer, fake_telegram: FakeTelegram
) -> None:
    site.add("/feed.xml", feed([OLD]), content_type="application/rss+xml", times=1)
    site.add("/feed.xml", feed([*NEW, OLD]), content_type="application/rss+xml")
    config = write_config(tmp_path / "otklik.toml", [site.url("/feed.xml")], [OWNER, OWNER + 1])
    env = {
        **os.environ,
        "OTKLIK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'otklik.db'}",
        "OTKLIK_CONFIG": str(config),
        "OTKLIK_BOT_TOKEN": fake_telegram.token,
        "OTKLIK_TELEGRAM_API_URL": fake_telegram.api_url,
        "OTKLIK_LOG_LEVEL": "INFO",
        "OTKLIK_HTTP_PER_HOST_RATE": "1000",
    }

    async def otklik(*args: str) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "otklik",
            *args,
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )

    for _ in range(2):  # backfill, then the new reviews: stored and queued, nothing sent yet
        assert await (await otklik("scan")).wait() == 0
    assert fake_telegram.calls_of("sendMessage") == []

    # The service starts sending: the first message fails and waits for its retry, the second is
    # delivered and recorded, and the process is killed -9 while Telegram has not yet taken the
    # third. (A kill after Telegram took a message and before it was recorded would send that one
    # twice: the Bot API has no idempotency key, so no sender can close that window.)
    fake_telegram.fail_next("sendMessage", times=1, status=500)
    fake_telegram.hold("sendMessage", after=2)
    service = await otklik("run")
    await _wait_for(lambda: fake_telegram.held >= 1)
    assert _sent_messages(tmp_path / "otklik.db") == 1
    service.send_signal(signal.SIGKILL)
    await service.wait()
    fake_telegram.release()

    service = await otklik("run")  # restarted: the rest goes out, nothing twice
    # Two alerts and the two notes the first poll left ("Source added: … — /backlog").
    await _wait_for(lambda: len([c for c in fake_telegram.calls_of("sendMessage") if c.ok]) >= 4)
    await asyncio.sleep(1.5)  # a duplicate would need another drain cycle (1 s)
    service.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(service.wait(), 15) == 0

    sent = [c for c in fake_telegram.calls_of("sendMessage") if c.ok]
    notes = sorted(c.chat_id or 0 for c in sent if "/backlog" in (c.text or ""))
    assert notes == [OWNER, OWNER + 1]
    delivered = sorted(c.chat_id or 0 for c in sent if "/backlog" not in (c.text or ""))
    assert delivered == [OWNER, OWNER + 1]


async def test_a_page_that_suddenly_lists_nothing_is_a_broken_parser_not_silence(
    tmp_path: Path, site: SiteServer
) -> None:
    site.add("/feed.xml", feed([OLD]), content_type="application/rss+xml", times=1)
    site.add("/feed.xml", feed([]), content_type="application/rss+xml")
    settings = settings_for(
        tmp_path, write_config(tmp_path / "otklik.toml", [site.url("/feed.xml")], [OWNER])
    )

    first, second, third = [(await scan(settings))[0] for _ in range(3)]
    assert first.error is None and len(first.new_mentions) == 1
    assert second.error == "the page listed 1 items before and none now (layout changed?)"
    assert third.health == "parser_broken"
    told = await health_notices(settings)
    assert len(told) == 1 and "разборщик" in told[0][1]


async def test_the_bot_comes_back_when_telegram_was_down_at_start(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    from otklik.service import serve

    settings = settings_for(
        tmp_path, write_config(tmp_path / "otklik.toml", [], [OWNER]), fake_telegram
    )
    fake_telegram.fail_next("getMe", times=2, status=502)
    stop = asyncio.Event()
    service = asyncio.create_task(serve(settings, stop=stop))
    try:
        await fake_telegram.wait_for("getMe", deadline=10)  # polling got through at last
        fake_telegram.send_text("/cases", user_id=OWNER)
        answer = await fake_telegram.wait_for("sendMessage", chat_id=OWNER, deadline=10)
        assert answer.text
    finally:
        stop.set()
        await asyncio.wait_for(service, 15)
    assert len(fake_telegram.calls_of("getMe", ok=False)) == 2


async def test_a_misconfigured_source_is_reported_at_once_as_misconfigured(
    tmp_path: Path, site: SiteServer
) -> None:
    site.add("/feed.xml", feed([OLD]), content_type="application/rss+xml")
    settings = settings_for(
        tmp_path, write_config(tmp_path / "otklik.toml", [site.url("/feed.xml")], [OWNER])
    )
    bad_url = "https://t.me/joinchat/AbCdEf"  # an invite link names no public channel
    async with open_database(settings) as database, database.sessionmaker.begin() as session:
        now = datetime.now(UTC)
        brand_id = await session.scalar(select(Brand.id))
        assert brand_id is not None
        session.add(
            Source(
                brand_id=brand_id,
                kind="telegram",
                url=bad_url,
                origin="chat",
                created_at=now,
                next_poll_at=now,
            )
        )

    reports = {r.source.url: r for r in await scan(settings)}
    assert reports[bad_url].health == "misconfigured"  # the first failure, not the threshold's
    assert "no public channel name" in (reports[bad_url].error or "")
    (told,) = [text for _, text in await health_notices(settings)]
    assert "настройках источника ошибка" in told
    assert "вёрстка" not in told and "недоступен" not in told
    (told_en,) = [text for _, text in await health_notices(settings, "en")]
    assert "configuration is wrong" in told_en
