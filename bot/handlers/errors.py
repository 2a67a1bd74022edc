"""The last line of defence: a handler that failed is logged with its traceback and the person
who pressed or typed gets an apology instead of silence."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, ErrorEvent

from bot.texts import t

log = logging.getLogger(__name__)


def create_router() -> Router:
    """Included last: it also answers buttons no other router understood."""
    router = Router(name="errors")
    router.errors.register(on_error)
    router.callback_query.register(stale_button)
    return router


async def stale_button(query: CallbackQuery, lang: str = "ru") -> None:
    """Old, foreign or garbled button data: answered, so the client stops waiting."""
    log.info("unhandled button data %r from %s", query.data, query.from_user.id)
    await query.answer(t(lang, "stale_button"))


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
