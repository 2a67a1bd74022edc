"""Fixtures for the bot tests: the fake Telegram server, a migrated database, the bot."""

from tests.fakes.telegram_api import fake_telegram

__all__ = ["fake_telegram"]
