"""Local fakes of external services for tests (real HTTP servers, never mocks of our code).

`tests.fakes.telegram_api` — a fake Telegram Bot API server and its `fake_telegram` fixture.
"""

from tests.fakes.telegram_api import Call, FakeTelegram, fake_telegram

__all__ = ["Call", "FakeTelegram", "fake_telegram"]
