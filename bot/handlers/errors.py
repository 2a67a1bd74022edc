"""The last line of defence: a handler that failed is logged with its traceback and the person
who pressed or typed gets an apology instead of silence."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent

from bot.texts import t

log = logging.getLogger(__name__)


def create_router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    return router


async def on_error(event: ErrorEvent, lang: str = "ru") -> bool:
    log.error(
        "update %s failed: %s", event.update.update_id, event.exception, exc_info=event.exception
    )
    text = t(lang, "internal_error")
    try:
        if event.update.callback_query is not None:
            await event.update.callback_query.answer(text, show_alert=True)
        elif event.update.message is not None:
            await event.update.message.answer(text)
    except TelegramAPIError as exc:  # Telegram refusing the apology is not worth a second one
        log.warning("could not tell the user about the failure: %s", exc)
    return True
