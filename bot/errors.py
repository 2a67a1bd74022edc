"""Errors of delivering messages to Telegram chats."""

from __future__ import annotations

from common.errors import OtklikError


class DeliveryError(OtklikError):
    """A message could not be delivered to a chat."""


class RetryLater(DeliveryError):
    """Telegram is rate limiting us or is down; try again after retry_after seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ChatUnavailable(DeliveryError):
    """The chat blocked the bot, was deleted, or the bot was removed: stop sending there."""


class DeliverySkipped(DeliveryError):
    """Deliberately not delivered (alerts paused by the owner): recorded, never retried."""
