"""TelegramNotifier: the outbox sender's way into Telegram.

Renders each outbox kind (alerts, digests, notices) and turns aiogram's exceptions into bot.errors at this boundary:
429 / 5xx / network → RetryLater, blocked / kicked / chat gone → ChatUnavailable, anything else
Telegram refuses → DeliveryError (permanent).
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.alerts import load_alert, quiet_seconds_left
from bot.digest import send_digest
from bot.errors import ChatUnavailable, DeliveryError, DeliverySkipped, RetryLater
from bot.notices import render_notice
from bot.reply_notices import REPLY_NOTICES, send_reply_notice
from bot.updates import send_review_update
from common.clock import Clock, utcnow
from common.vocabulary import OutboxKind
from storage.records import OutboxRecord
from storage.repositories import chats

log = logging.getLogger(__name__)

_GONE_CHAT = (
    "chat not found",
    "bot was kicked",
    "user is deactivated",
    "group chat was deleted",
    "have no rights to send",
    "not enough rights",
    "chat_write_forbidden",
)


class TelegramNotifier:
    """Delivers outbox messages through aiogram; see the module docstring for error mapping."""

    def __init__(
        self, bot: Bot, sessionmaker: async_sessionmaker[AsyncSession], *, clock: Clock = utcnow
    ) -> None:
        self.bot = bot
        self._sessions = sessionmaker
        self._clock = clock

    async def deliver(self, message: OutboxRecord) -> int | None:
        try:
            return await self._send(message)
        except TelegramRetryAfter as exc:
            raise RetryLater(
                f"Telegram flood control: {exc.message}", retry_after=exc.retry_after
            ) from exc
        except (TelegramServerError, TelegramNetworkError) as exc:
            raise RetryLater(f"Telegram unavailable: {exc.message}") from exc
        except TelegramMigrateToChat as exc:
            raise ChatUnavailable(f"group became supergroup {exc.migrate_to_chat_id}") from exc
        except TelegramForbiddenError as exc:
            raise ChatUnavailable(exc.message) from exc
        except (TelegramBadRequest, TelegramNotFound) as exc:
            if any(marker in exc.message.lower() for marker in _GONE_CHAT):
                raise ChatUnavailable(exc.message) from exc
            raise DeliveryError(f"Telegram refused {message.kind}: {exc.message}") from exc
        except TelegramAPIError as exc:
            raise DeliveryError(f"Telegram refused {message.kind}: {exc.message}") from exc

    async def _send(self, message: OutboxRecord) -> int | None:
        if message.kind == OutboxKind.ALERT:
            return await self._send_alert(message)
        if message.kind == OutboxKind.DIGEST:
            return await send_digest(self.bot, self._sessions, message)
        if message.kind == OutboxKind.REVIEW_UPDATE:
            return await send_review_update(self.bot, self._sessions, message, self._clock())
        if message.kind in REPLY_NOTICES:
            return await send_reply_notice(self.bot, self._sessions, message)
        async with self._sessions() as session:
            lang = await chats.language(session, message.chat_id)
            text = await render_notice(session, message, lang)
        sent = await self.bot.send_message(message.chat_id, text, disable_web_page_preview=True)
        return sent.message_id

    async def _send_alert(self, message: OutboxRecord) -> int | None:
        now = self._clock()
        async with self._sessions() as session:
            view = await load_alert(
                session, mention_id=message.mention_id or 0, case_id=message.case_id
            )
            lang = await chats.language(session, message.chat_id)
        if view is None:
            raise DeliveryError(f"alert {message.dedup_key}: mention {message.mention_id} is gone")
        paused = view.brand.alerts_paused_until
        if paused is not None and paused > now:
            # The owner muted alerts on purpose; the case stays in /cases and in the digest.
            raise DeliverySkipped(
                f"alerts of {view.brand.name} paused until {paused:%Y-%m-%d %H:%M} UTC"
            )
        wait = quiet_seconds_left(view.brand, now)
        if wait is not None:
            raise RetryLater(f"quiet hours of {view.brand.name}", retry_after=wait)
        sent = await self.bot.send_message(
            message.chat_id,
            view.text(lang, now),
            reply_markup=view.keyboard(lang),
            disable_web_page_preview=True,
        )
        return sent.message_id
