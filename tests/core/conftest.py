"""The core's end-to-end tests use the fake Telegram Bot API server."""

from tests.fakes.telegram_api import fake_telegram

__all__ = ["fake_telegram"]
