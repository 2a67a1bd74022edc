"""The bot behind a load balancer: a webhook server (aiogram's aiohttp handler, Telegram's
secret token checked) so several bot processes can answer updates."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from yarl import URL

from common.backoff import backoff
from otklik.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Webhook:
    """Where Telegram sends updates (`url`, the load balancer's public address) and where this
    process listens for them."""

    url: str
    host: str
    port: int
    secret: str

    @property
    def path(self) -> str:
        return URL(self.url).path or "/"


def webhook_secret(settings: Settings) -> str:
    """OTKLIK_WEBHOOK_SECRET, or one derived from the bot token, so every bot process of a
    deployment checks the same secret without another setting to share."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    assert settings.bot_token is not None
    token = settings.bot_token.get_secret_value().encode()
    return hashlib.sha256(b"otklik-webhook:" + token).hexdigest()


async def serve_webhook(
    dispatcher: Dispatcher, bot: Bot, webhook: Webhook, stop: asyncio.Event
) -> None:
    """Answer updates POSTed by Telegram until `stop`. Requests without the secret token are
    refused with 401 by aiogram's handler. Every bot process registers the same URL, so
    whichever starts last leaves it right."""
    app = web.Application()
    SimpleRequestHandler(dispatcher=dispatcher, bot=bot, secret_token=webhook.secret).register(
        app, path=webhook.path
    )
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, webhook.host, webhook.port).start()
        log.info("Telegram webhook listening on %s:%d%s", webhook.host, webhook.port, webhook.path)
        await dispatcher.emit_startup(bot=bot)
        attempt = 0
        while not stop.is_set():
            try:
                await bot.set_webhook(webhook.url, secret_token=webhook.secret)
                break
            except Exception as exc:  # Telegram down at start: updates wait on its side
                delay = backoff(attempt, base=1.0, cap=60.0)
                attempt += 1
                log.warning("could not set the webhook (%s); retrying in %.0f s", exc, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):
            await dispatcher.emit_shutdown(bot=bot)
        await runner.cleanup()
