"""The fake Telegram server itself: aiogram talks to it like to the real thing."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Dispatcher, F, Router
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from tests.fakes.telegram_api import FakeTelegram


async def test_send_edit_and_record(fake_telegram: FakeTelegram) -> None:
    bot = fake_telegram.make_bot()
    me = await bot.get_me()
    assert me.username == "otklik_test_bot"
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Go", callback_data="x:1")]]
    )
    first = await bot.send_message(-100, "<b>one</b> &amp; two", reply_markup=markup)
    second = await bot.send_message(-100, "next")
    assert second.message_id == first.message_id + 1
    call = await fake_telegram.wait_for("sendMessage", chat_id=-100)
    assert call.text == "<b>one</b> &amp; two"
    assert call.buttons == [{"text": "Go", "callback_data": "x:1"}]
    await bot.edit_message_text("edited", chat_id=-100, message_id=first.message_id)
    assert fake_telegram.message(-100, first.message_id)["text"] == "edited"
    assert "reply_markup" not in fake_telegram.message(-100, first.message_id)
    photo = await bot.send_photo(5, BufferedInputFile(b"PNGDATA", "chart.png"), caption="c")
    assert photo.photo
    photo_call = await fake_telegram.wait_for("sendPhoto", chat_id=5)
    assert photo_call.file is not None and photo_call.file.data == b"PNGDATA"
    document = await bot.send_document(5, BufferedInputFile(b"a,b\n", "report.csv"))
    assert document.document and document.document.file_name == "report.csv"


async def test_failures_are_injected(fake_telegram: FakeTelegram) -> None:
    bot = fake_telegram.make_bot()
    fake_telegram.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(1, "a")
    assert info.value.retry_after == 3
    fake_telegram.fail_next("sendMessage", times=2, status=500)
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.send_message(1, "a")
    await bot.send_message(1, "a")
    fake_telegram.block_chat(2)
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(2, "a")
    assert len(fake_telegram.calls_of("sendMessage")) == 1
    assert len(fake_telegram.calls_of("sendMessage", ok=False)) == 4


async def test_hostile_html_is_refused_like_telegram(fake_telegram: FakeTelegram) -> None:
    bot = fake_telegram.make_bot()
    with pytest.raises(TelegramBadRequest):
        await bot.send_message(1, "a < b & c")
    with pytest.raises(TelegramBadRequest):
        await bot.send_message(1, "x" * 4097)


async def test_polling_delivers_updates(fake_telegram: FakeTelegram) -> None:
    bot = fake_telegram.make_bot()
    router = Router()

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"echo {message.text}")

    @router.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer("ok")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    task = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1)
    )
    try:
        fake_telegram.send_text("/start", user_id=77)
        call = await fake_telegram.wait_for("sendMessage", chat_id=77)
        assert call.text == "echo /start"
        fake_telegram.press_button(
            "x:1", user_id=77, chat_id=77, message_id=call.result["message_id"]
        )
        answer = await fake_telegram.wait_for("answerCallbackQuery")
        assert answer.fields["text"] == "ok"
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(task, 5)
