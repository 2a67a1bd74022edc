"""A source's API key is never shown: not in scan output, logs, `otklik sources`, the owner's
"source unhealthy" alert, a member's /sources, nor the weekly digest; and it is stored apart
from the URL and the other options."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.setup import build_dispatcher
from common.errors import ConfigError
from otklik.app import open_database
from otklik.commands.scan import scan
from otklik.commands.sources import show
from otklik.config import load_config
from otklik.logs import setup_logging
from otklik.settings import Settings
from reports import build_figures, digest_html, parse_period
from scrapers import registry
from scrapers.secrets import redact
from storage.models import OutboxMessage, Source
from storage.repositories import stats
from tests.bot.conftest import polling
from tests.fakes.site_server import SiteServer
from tests.fakes.telegram_api import FakeTelegram

OWNER = 313131
KEY = "sEcReT-2gis-KEY-0042"
REVIEWS = "/2.0/branches/70000001/reviews"


@pytest.fixture
async def site() -> AsyncIterator[SiteServer]:
    server = SiteServer()
    await server.start()
    yield server
    await server.close()


def settings_for(tmp_path: Path, site: SiteServer, *, url: str | None = None) -> Settings:
    config = tmp_path / "otklik.toml"
    config.write_text(
        f'[[brands]]\nname = "Кофемания"\nowners = [{OWNER}]\n'
        f'[[brands.sources]]\nkind = "twogis"\n'
        f'url = "{url or "https://2gis.ru/moscow/firm/70000001"}"\n'
        f'key = "{KEY}"\napi_base = "{site.origin}"\ninterval = "1m"\n',
        encoding="utf-8",
    )
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'otklik.db'}",
        config=config,
        sentiment_model="keywords",
        http_timeout=1,
        http_retries=1,
        http_backoff=0.01,
        http_per_host_rate=1000,
        unhealthy_after=2,
        _env_file=None,  # type: ignore[call-arg]
    )


async def test_api_key_is_never_shown(
    tmp_path: Path,
    site: SiteServer,
    fake_telegram: FakeTelegram,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The first poll fails with a URL carrying the key, the second with the key in the text.
    site.add(REVIEWS, "down", status=500, times=2)
    site.add(
        REVIEWS,
        json.dumps({"meta": {"code": 403, "error": {"message": f"key {KEY} is blocked"}}}),
        content_type="application/json",
    )
    settings = settings_for(tmp_path, site)
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    setup_logging("DEBUG")  # as the service logs at its most verbose...
    root.addHandler(caplog.handler)  # ...into the test's capture
    caplog.handler.setLevel(logging.DEBUG)
    try:
        await scan(settings)
        await scan(settings)
        await show(settings)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    shown = capsys.readouterr()
    assert site.hits(REVIEWS)[0].query["key"] == KEY  # the key is used...
    assert "HTTP 500" in shown.err and "API error 403" in shown.out  # ...and errors are shown
    now = datetime.now(UTC)
    async with open_database(settings) as database:
        async with database.sessionmaker() as session:
            alerts = (
                await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "health"))
            ).all()
            source = (await session.scalars(select(Source))).one()
            brand = await stats.brand_by_name(session, "Кофемания")
            assert brand is not None
            figures = await build_figures(
                session, brand, parse_period("7d", now, brand.timezone), now
            )
        digest = digest_html(figures, "ru")
        async with polling(fake_telegram, build_dispatcher(sessionmaker=database.sessionmaker)):
            mark = fake_telegram.mark()
            fake_telegram.send_text("/sources", user_id=OWNER)
            listing = await fake_telegram.wait_for("sendMessage", chat_id=OWNER, since=mark)

    assert alerts  # the owner was told the source is down
    assert "70000001/reviews" in digest and "403" in (listing.text or "")  # errors shown
    texts = {
        "scan output": shown.out + shown.err,
        "logs": caplog.text,
        "unhealthy alert": " ".join(json.dumps(a.payload, ensure_ascii=False) for a in alerts),
        "/sources": listing.text or "",
        "digest": digest,
        "stored error": source.last_error or "",
    }
    for where, text in texts.items():
        assert KEY not in text, where
        assert "key=***" in text or "***" in text or where == "digest", where
    # Stored apart from the URL and the options.
    assert source.secrets == {"key": KEY}
    assert KEY not in json.dumps(source.options) and KEY not in source.url


def test_a_key_in_the_url_is_refused(tmp_path: Path, site: SiteServer) -> None:
    settings = settings_for(tmp_path, site, url=f"https://2gis.ru/moscow/firm/1?key={KEY}")
    with pytest.raises(ConfigError, match=r"carries key=…; give it as the source's option") as e:
        load_config(settings.config, detect_kind=registry.detect)
    assert KEY not in str(e.value)


def test_redact_hides_keys_in_any_url_and_known_values() -> None:
    text = (
        "HTTP 500 for https://api.example/x?a=1&api_key=AbC123&key=zzz9 after 2 tries; "
        "also https://maps.googleapis.com/place?key=AIzaXYZ%2Fq and token tok-98765 in text"
    )
    out = redact(text, ["tok-98765"])
    for secret in ("AbC123", "zzz9", "AIzaXYZ", "tok-98765"):
        assert secret not in out
    assert "a=1" in out and "api_key=***" in out
