"""A handler that fails is logged and the user hears about it, instead of silence."""

from __future__ import annotations

import logging

import pytest
from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.setup import build_dispatcher
from tests.bot.conftest import OWNER, World, polling
from tests.fakes.telegram_api import FakeTelegram


async def boom(message: Message) -> None:
    raise RuntimeError("disk on fire")


async def test_a_failing_handler_is_logged_and_answered(
    fake_telegram: FakeTelegram, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    dispatcher = build_dispatcher(sessionmaker=world.sessions, clock=world.clock)
    broken = Router(name="broken")
    broken.message.register(boom, Command("boom"))
    dispatcher.include_router(broken)
    async with polling(fake_telegram, dispatcher):
        with caplog.at_level(logging.ERROR, logger="bot.handlers.errors"):
            fake_telegram.send_text("/boom", user_id=OWNER)
            answer = await fake_telegram.wait_for("sendMessage", chat_id=OWNER)
        assert (
            answer.text
            == "Что-то пошло не так, действие не выполнено. Ошибка записана в журнал; попробуйте ещё раз."
        )
        assert any("disk on fire" in record.getMessage() for record in caplog.records)
        mark = fake_telegram.mark()
        fake_telegram.send_text("/cases", user_id=OWNER)  # the bot goes on working
        assert (await fake_telegram.wait_for("sendMessage", chat_id=OWNER, since=mark)).text
