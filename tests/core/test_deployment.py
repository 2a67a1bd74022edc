"""PostgreSQL deployments: the service split into roles sharing the job queue, processes of
the same role side by side, and the bot answering webhook updates in two processes."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select, update

from otklik.commands.status import show as show_status
from otklik.deployment import Role
from otklik.service import serve
from otklik.settings import Settings
from otklik.telegram import webhook_secret
from storage.db import make_engine, make_sessionmaker
from storage.models import Mention, OutboxMessage, Source
from tests.conftest import TEST_ALLOWED_ADDRESSES
from tests.core.test_loop import NEW, OLD, OWNER, feed, site, write_config
from tests.fakes.site_server import SiteServer
from tests.fakes.telegram_api import FakeTelegram

__all__ = ["site"]


def pg_settings(postgres_url: str, config: Path, telegram: FakeTelegram) -> Settings:
    return Settings(
        database_url=postgres_url,
        config=config,
        bot_token=telegram.token,  # type: ignore[arg-type]
        telegram_api_url=telegram.api_url,
        sentiment_model="keywords",
        http_timeout=2,
        http_retries=0,
        http_per_host_rate=1000,
        http_per_host_concurrency=8,
        job_lease=3,
        _env_file=None,  # type: ignore[call-arg]
    )


@asynccontextmanager
async def running(settings: Settings, *roles: Role) -> AsyncIterator[None]:
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(serve(settings, stop=stop, roles=frozenset({role}))) for role in roles
    ]
    try:
        yield
    finally:
        stop.set()
        results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30)
        for result in results:
            if isinstance(result, BaseException):
                raise result


async def until(predicate: Callable[[], object], deadline: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while not await predicate():  # type: ignore[misc]
        if loop.time() > end:
            raise AssertionError("condition not met before the deadline")
        await asyncio.sleep(0.2)


async def test_roles_share_the_work_and_each_alert_goes_out_once(
    tmp_path: Path,
    postgres_url: str,
    site: SiteServer,
    fake_telegram: FakeTelegram,
    capsys: pytest.CaptureFixture[str],
) -> None:
    paths = [f"/feed{n}.xml" for n in range(3)]
    for path in paths:
        site.add(path, feed([OLD]), content_type="application/rss+xml", times=1)
        site.add(path, feed([*NEW, OLD]), content_type="application/rss+xml")
    config = tmp_path / "otklik.toml"
    write_config(config, [site.url(p) for p in paths], [OWNER])
    config.write_text(config.read_text().replace('"1m"', '"2s"'), encoding="utf-8")
    settings = pg_settings(postgres_url, config, fake_telegram)
    engine = make_engine(postgres_url)
    sessions = make_sessionmaker(engine)

    async def mentions() -> int:
        async with sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(Mention)) or 0)

    async def sent() -> int:
        async with sessions() as session:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status == "sent", OutboxMessage.kind == "alert")
                )
                or 0
            )

    try:
        # Two poll workers, a sender, a jobs process and a bot: the first polls (history) and
        # the next ones (the new reviews) are each done once, one alert per new negative.
        async with running(settings, Role.POLL, Role.POLL, Role.SEND, Role.JOBS, Role.BOT):
            await until(lambda: _eq(sent, 3), deadline=90)
            await asyncio.sleep(4)  # two more poll rounds: nothing new, nothing twice
            capsys.readouterr()
            await show_status(settings)
            status = capsys.readouterr().out
        # a worker per queue of each role: poll ×2, send and jobs (the bot needs none)
        assert "workers: 4 alive" in status and "oldest unsent alert: none waiting" in status
        assert await mentions() == 3 * 3  # OLD + two brand mentions, per feed
        alerts = [
            c for c in fake_telegram.calls_of("sendMessage") if (c.text or "").startswith("🔴")
        ]
        assert len(alerts) == 3 and {c.chat_id for c in alerts} == {OWNER}
        assert all("Ужасный сервис" in (c.text or "") for c in alerts)
        async with sessions() as session:
            polled = await session.scalars(select(Source.last_success_at))
            assert all(polled)
            await session.execute(update(Source).values(enabled=False))
            await session.commit()
    finally:
        await engine.dispose()


async def _eq(read: Callable[[], object], wanted: int) -> bool:
    try:
        return await read() == wanted  # type: ignore[misc,no-any-return]
    except Exception:  # the processes are still creating the tables
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_two_bot_processes_answer_webhook_updates_with_the_secret_checked(
    tmp_path: Path, postgres_url: str, fake_telegram: FakeTelegram
) -> None:
    config = write_config(tmp_path / "otklik.toml", [], [OWNER])
    env = {
        # Only the test allowance for loopback sites (tests/conftest.py) is passed on.
        **{k: v for k, v in os.environ.items() if not k.startswith("OTKLIK_")},
        "OTKLIK_ALLOW_PRIVATE_ADDRESSES": TEST_ALLOWED_ADDRESSES,
        "OTKLIK_DATABASE_URL": postgres_url,
        "OTKLIK_CONFIG": str(config),
        "OTKLIK_BOT_TOKEN": fake_telegram.token,
        "OTKLIK_TELEGRAM_API_URL": fake_telegram.api_url,
        "OTKLIK_SENTIMENT_MODEL": "keywords",
    }
    secret = webhook_secret(pg_settings(postgres_url, config, fake_telegram))
    ports = [_free_port(), _free_port()]
    bots = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "otklik",
            "run",
            "--role",
            "bot",
            "--webhook",
            "https://bot.example/telegram",
            "--listen",
            f"127.0.0.1:{port}",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        # Both register the load balancer's URL with the secret Telegram will send.
        hooks = await fake_telegram.wait_for_count("setWebhook", 2, deadline=90)
        assert {c.fields["url"] for c in hooks} == {"https://bot.example/telegram"}
        assert {c.fields["secret_token"] for c in hooks} == {secret}
        async with aiohttp.ClientSession() as http:
            for n, port in enumerate(ports):
                update = {
                    "update_id": 1000 + n,
                    "message": fake_telegram.user_message("/help", user_id=OWNER + n),
                }
                url = f"http://127.0.0.1:{port}/telegram"
                async with http.post(url, json=update) as refused:
                    assert refused.status == 401  # no secret: not from Telegram
                headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
                async with http.post(url, json=update, headers=headers) as accepted:
                    assert accepted.status == 200
                # Each process answered its own update in the user's chat.
                answer = await fake_telegram.wait_for("sendMessage", chat_id=OWNER + n, deadline=30)
                assert answer.text
        assert fake_telegram.calls_of("getUpdates") == []  # no long polling alongside
    finally:
        for process in bots:
            process.send_signal(signal.SIGTERM)
        codes = [await asyncio.wait_for(process.wait(), 30) for process in bots]
    assert codes == [0, 0]
