"""The Telegram side of a process: long polling that comes back by itself, or a webhook
server (aiogram's aiohttp handler, Telegram's secret token checked) for bots behind a load
balancer, and the reply-publishing credentials."""

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

from otklik.settings import Settings
from scrapers.publish import ReplyCredentials

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


async def keep_polling(dispatcher: Dispatcher, bot: Bot, stop: asyncio.Event) -> None:
    """Long-poll Telegram for the whole life of the service: when Telegram is unreachable at
    start or polling dies later, the bot's commands must come back by themselves."""
    delay = 1.0
    while not stop.is_set():
        try:
            await dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False)
            reason = "stopped"
        except Exception as exc:
            reason = f"failed: {exc}"
        if stop.is_set():
            return
        log.warning("Telegram polling %s; restarting in %.0f s", reason, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)
        delay = min(delay * 2, 60.0)


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
        delay = 1.0
        while not stop.is_set():
            try:
                await bot.set_webhook(webhook.url, secret_token=webhook.secret)
                break
            except Exception as exc:  # Telegram down at start: updates wait on its side
                log.warning("could not set the webhook (%s); retrying in %.0f s", exc, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
                delay = min(delay * 2, 60.0)
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):
            await dispatcher.emit_shutdown(bot=bot)
        await runner.cleanup()


def reply_credentials(settings: Settings) -> ReplyCredentials:
    def secret(value: object) -> str | None:
        return value.get_secret_value() if value is not None else None  # type: ignore[attr-defined]

    key = settings.appstore_private_key_file
    return ReplyCredentials(
        google_business_token=secret(settings.google_business_token),
        google_play_token=secret(settings.google_play_token),
        appstore_issuer_id=settings.appstore_issuer_id,
        appstore_key_id=settings.appstore_key_id,
        appstore_private_key=key.read_text(encoding="utf-8") if key else None,
    )
