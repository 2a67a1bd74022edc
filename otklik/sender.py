"""Drains the outbox: each queued message is delivered, retried with backoff, or given up on
with the reason recorded. Nothing is dropped silently."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import ChatUnavailable, DeliveryError, DeliverySkipped, RetryLater
from common.backoff import backoff
from common.clock import Clock, utcnow
from common.vocabulary import OutboxStatus
from storage.records import OutboxRecord
from storage.repositories import outbox as outbox_repo

log = logging.getLogger(__name__)


class Notifier(Protocol):
    async def deliver(self, message: OutboxRecord) -> int | None:
        """Send one message; return the chat's message id. Raise RetryLater, ChatUnavailable
        or DeliveryError."""


class Sender:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        notifier: Notifier,
        *,
        max_attempts: int = 12,
        clock: Clock = utcnow,
        idle: float = 1.0,
    ) -> None:
        self._sessions = sessionmaker
        self._notifier = notifier
        self._max_attempts = max_attempts
        self._clock = clock
        self._idle = idle
        self.wake = asyncio.Event()

    async def drain_once(self) -> int:
        """Deliver every message that is due now; returns how many were sent."""
        sent = 0
        tried: set[int] = set()
        while True:
            async with self._sessions() as session:
                batch = await outbox_repo.due_messages(session, self._clock())
            batch = [message for message in batch if message.id not in tried]
            if not batch:
                return sent
            for message in batch:
                tried.add(message.id)
                sent += await self._deliver(message)

    async def send_one(self, message_id: int) -> int:
        """Deliver one message if it is still pending and due (a job engine's send job);
        returns 1 when it was sent now. The message stays held until its outcome is committed,
        so a second sender (a job handed over while its first worker was only slow) skips
        it; a sender that dies releases it with its connection."""
        async with self._sessions.begin() as session:
            message = await outbox_repo.lock_due_message(session, message_id, self._clock())
            return 0 if message is None else await self._deliver(message, held=session)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.drain_once()
            except Exception:  # the database may be briefly locked or down: keep the loop alive
                log.exception("outbox drain failed; retrying")
            self.wake.clear()
            waiter = asyncio.ensure_future(self.wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait(
                {waiter, stopper}, timeout=self._idle, return_when=asyncio.FIRST_COMPLETED
            )
            waiter.cancel()
            stopper.cancel()

    @asynccontextmanager
    async def _writing(self, held: AsyncSession | None) -> AsyncIterator[AsyncSession]:
        """The transaction holding the message, or a new one."""
        if held is not None:
            yield held
            return
        async with self._sessions.begin() as session:
            yield session

    async def _deliver(self, message: OutboxRecord, *, held: AsyncSession | None = None) -> int:
        now = self._clock()
        try:
            telegram_id = await self._notifier.deliver(message)
        except ChatUnavailable as exc:
            log.warning("chat %s unavailable, skipping its messages: %s", message.chat_id, exc)
            async with self._writing(held) as session:
                await outbox_repo.mark_chat_unavailable(
                    session, message.id, message.chat_id, error=str(exc), now=now
                )
            return 0
        except DeliverySkipped as exc:
            log.info("%s not delivered: %s", message.dedup_key, exc)
            async with self._writing(held) as session:
                await outbox_repo.mark_skipped(session, message.id, reason=str(exc))
            return 0
        except DeliveryError as exc:
            wait = backoff(message.attempts, base=1.0, cap=600.0, spread=0.2)
            if isinstance(exc, RetryLater) and exc.retry_after is not None:
                wait = max(float(exc.retry_after), 0.0)
            async with self._writing(held) as session:
                status = await outbox_repo.mark_retry(
                    session,
                    message.id,
                    error=str(exc),
                    retry_at=now + timedelta(seconds=wait),
                    give_up_after=self._max_attempts,
                )
            log.log(
                logging.ERROR if status == OutboxStatus.FAILED else logging.INFO,
                "delivery of %s to %s: %s (attempt %d, %s)",
                message.dedup_key,
                message.chat_id,
                exc,
                message.attempts + 1,
                status,
            )
            return 0
        async with self._writing(held) as session:
            await outbox_repo.mark_sent(
                session, message.id, telegram_id=telegram_id, now=self._clock()
            )
        return 1
