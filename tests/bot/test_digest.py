"""The weekly digest and /digest through a real aiogram bot and the fake Telegram server."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.delivery import TelegramNotifier
from bot.errors import RetryLater
from bot.setup import build_dispatcher
from otklik.digest_schedule import queue_due_digests
from storage.db import make_sessionmaker
from storage.models import Brand, Chat, OutboxMessage
from storage.records import OutboxRecord
from storage.repositories import outbox
from tests.bot.conftest import polling
from tests.fakes.telegram_api import FakeTelegram
from tests.reports.factories import (
    CHAT_ID,
    NOW,
    OWNER_ID,
    STRANGER_ID,
    add_brand,
    add_chat,
    add_member,
    build_week,
)
from tests.reports.html_check import visible_text

LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def sessions(sqlite_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(sqlite_engine)


async def _week_with_chat(sessions: async_sessionmaker[AsyncSession], language: str = "ru") -> int:
    async with sessions() as session, session.begin():
        week = await build_week(session)
        brand = await session.get_one(Brand, week.brand_id)
        await add_chat(session, CHAT_ID, brand, created_at=LONG_AGO, language=language)
        await add_member(session, brand, OWNER_ID)
    return week.brand_id


async def _queued(sessions: async_sessionmaker[AsyncSession]) -> OutboxRecord:
    assert await queue_due_digests(sessions, NOW) == 1
    async with sessions() as session:
        (message,) = await outbox.due_messages(session, NOW)
    assert message.kind == "digest"
    return message


def _png_size_and_ink(data: bytes) -> tuple[tuple[int, int], float]:
    image = Image.open(io.BytesIO(data)).convert("RGB")
    pixels = np.asarray(image).astype(int)
    return image.size, float((pixels.sum(axis=2) < 740).mean())


async def test_weekly_digest_sends_one_chart_and_the_text(
    sessions: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    await _week_with_chat(sessions)
    message = await _queued(sessions)
    bot = fake_telegram.make_bot()

    sent_id = await TelegramNotifier(bot, sessions, clock=lambda: NOW).deliver(message)

    photos = fake_telegram.calls_of("sendPhoto", chat_id=CHAT_ID)
    assert len(photos) == 1
    assert photos[0].file is not None
    size, ink = _png_size_and_ink(photos[0].file.data)
    assert size == (1200, 600) and ink > 0.15
    assert visible_text(photos[0].text or "") == (
        "📊 Кофемания <&> — дайджест репутации, 5–11 октября 2026"
    )
    (text_call,) = fake_telegram.calls_of("sendMessage", chat_id=CHAT_ID)
    assert text_call.result["message_id"] == sent_id
    text = visible_text(text_call.text or "")
    assert "Упоминаний: 10 (было 4, +6)" in text
    assert "Ответили на 2 из 3 обращений (67%, было 100%)" in text
    assert "• персонал — 3: «Снова ждали больше часа»" in text
    # What the chat shows now: the chart, then the digest.
    shown = fake_telegram.messages(CHAT_ID)
    assert [("photo" in item) for item in shown] == [True, False]

    # Sent once: the scheduler does not queue the period again, even after a "restart".
    assert await queue_due_digests(sessions, NOW) == 0
    assert await queue_due_digests(make_sessionmaker(sessions.kw["bind"]), NOW) == 0


async def test_retry_after_a_failed_text_does_not_resend_the_chart(
    sessions: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    await _week_with_chat(sessions, language="en")
    message = await _queued(sessions)
    bot = fake_telegram.make_bot()
    fake_telegram.fail_next("sendMessage", status=500)
    notifier = TelegramNotifier(bot, sessions, clock=lambda: NOW)
    with pytest.raises(RetryLater):
        await notifier.deliver(message)
    async with sessions() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.id == message.id))
        assert row is not None and "photo_message_id" in row.payload
    # The sender retries with the record it loaded before the failure.
    await notifier.deliver(message)
    assert len(fake_telegram.calls_of("sendPhoto", chat_id=CHAT_ID)) == 1
    (text_call,) = fake_telegram.calls_of("sendMessage", chat_id=CHAT_ID)
    assert "Reputation index: 0 (was +25, ▼25)" in visible_text(text_call.text or "")


async def test_empty_week_is_a_short_text_without_a_chart(
    sessions: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    async with sessions() as session, session.begin():
        brand = await add_brand(session, "Тишина", LONG_AGO)
        await add_chat(session, CHAT_ID, brand, created_at=LONG_AGO)
    message = await _queued(sessions)
    await TelegramNotifier(fake_telegram.make_bot(), sessions).deliver(message)
    assert fake_telegram.calls_of("sendPhoto") == []
    (call,) = fake_telegram.calls_of("sendMessage", chat_id=CHAT_ID)
    assert visible_text(call.text or "").endswith("За этот период упоминаний не было.")


@pytest.fixture
async def digest_bot(
    sessions: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> AsyncIterator[None]:
    async with polling(fake_telegram, build_dispatcher(sessionmaker=sessions, clock=lambda: NOW)):
        yield


async def test_digest_command_for_members_only(
    sessions: async_sessionmaker[AsyncSession],
    fake_telegram: FakeTelegram,
    digest_bot: None,
) -> None:
    await _week_with_chat(sessions)

    mark = fake_telegram.mark()
    fake_telegram.send_text("/digest", user_id=OWNER_ID, chat_id=CHAT_ID)
    photo = await fake_telegram.wait_for("sendPhoto", chat_id=CHAT_ID, since=mark)
    # 7d: the last seven days, today included.
    assert "6–12 октября 2026" in visible_text(photo.text or "")
    await fake_telegram.wait_for("sendMessage", chat_id=CHAT_ID, since=mark)

    # A short report is one photo with the text as its caption.
    mark = fake_telegram.mark()
    fake_telegram.send_text("/digest Кофемания <&> 2026-09", user_id=OWNER_ID, chat_id=CHAT_ID)
    month = await fake_telegram.wait_for("sendPhoto", chat_id=CHAT_ID, since=mark)
    assert "1–30 сентября 2026" in visible_text(month.text or "")
    assert "Упоминаний: 3 (было 0, +3)" in visible_text(month.text or "")

    # A month with nothing in it: a short text, no chart.
    mark = fake_telegram.mark()
    fake_telegram.send_text("/digest 2026-08", user_id=OWNER_ID, chat_id=CHAT_ID)
    call = await fake_telegram.wait_for("sendMessage", chat_id=CHAT_ID, since=mark)
    assert "\n\nЗа этот период упоминаний не было.\n\n" in visible_text(call.text or "")
    assert fake_telegram.calls_of("sendPhoto", since=mark) == []

    # A member of another brand only: refused by this router's own check.
    async with sessions() as session, session.begin():
        other = await add_brand(session, "Чужой бренд", LONG_AGO)
        await add_member(session, other, STRANGER_ID)
    mark = fake_telegram.mark()
    fake_telegram.send_text("/digest кофемания <&> 30d", user_id=STRANGER_ID, chat_id=CHAT_ID)
    refusal = await fake_telegram.wait_for("sendMessage", chat_id=CHAT_ID, since=mark)
    assert refusal.text == "Дайджест доступен только участникам бренда."

    # A stranger: the access middleware answers, the digest is never built.
    mark = fake_telegram.mark()
    fake_telegram.send_text("/digest Кофемания <&>", user_id=999, chat_id=CHAT_ID)
    stranger = await fake_telegram.wait_for("sendMessage", chat_id=CHAT_ID, since=mark)
    assert stranger.text.startswith("Извините, это закрытый бот")

    mark = fake_telegram.mark()
    fake_telegram.send_text("/digest 13x", user_id=OWNER_ID, chat_id=CHAT_ID)
    unknown = await fake_telegram.wait_for("sendMessage", chat_id=CHAT_ID, since=mark)
    assert unknown.text == "Бренд «13x» не найден."

    mark = fake_telegram.mark()
    fake_telegram.send_text("/digest 2031-01", user_id=OWNER_ID, chat_id=CHAT_ID)
    bad = await fake_telegram.wait_for("sendMessage", chat_id=CHAT_ID, since=mark)
    assert bad.text.startswith("Период:")
    await fake_telegram.wait_idle()
    assert len(fake_telegram.calls_of("sendPhoto")) == 2
    assert len(fake_telegram.calls_of("sendMessage", text=bad.text)) == 1


async def test_digest_command_takes_the_chats_brand_or_asks_which(
    sessions: async_sessionmaker[AsyncSession],
    fake_telegram: FakeTelegram,
    digest_bot: None,
) -> None:
    await _week_with_chat(sessions)
    async with sessions() as session, session.begin():
        await add_member(session, await add_brand(session, "Булочная", LONG_AGO), OWNER_ID)

    # The group follows one of the owner's two brands: that one.
    mark = fake_telegram.mark()
    fake_telegram.send_text("/digest", user_id=OWNER_ID, chat_id=CHAT_ID)
    photo = await fake_telegram.wait_for("sendPhoto", chat_id=CHAT_ID, since=mark)
    assert visible_text(photo.text or "").startswith("📊 Кофемания <&> — ")
    await fake_telegram.wait_for("sendMessage", chat_id=CHAT_ID, since=mark)

    mark = fake_telegram.mark()
    fake_telegram.send_text("/digest", user_id=OWNER_ID)
    ask = await fake_telegram.wait_for("sendMessage", chat_id=OWNER_ID, since=mark)
    assert visible_text(ask.text or "").endswith("Ваши бренды: Булочная, Кофемания <&>")


async def test_owner_sets_or_stops_the_weekly_digest_from_the_chat(
    sessions: async_sessionmaker[AsyncSession],
    fake_telegram: FakeTelegram,
    digest_bot: None,
) -> None:
    brand_id = await _week_with_chat(sessions)
    async with sessions() as session, session.begin():
        brand = await session.get_one(Brand, brand_id)
        await add_member(session, brand, STRANGER_ID, role="pr")

    mark = fake_telegram.mark()
    fake_telegram.send_text("/digest_at fri 18:30", user_id=STRANGER_ID, chat_id=CHAT_ID)
    refused = await fake_telegram.wait_for("sendMessage", chat_id=CHAT_ID, since=mark)
    assert refused.text == "Время дайджеста меняет владелец бренда."

    mark = fake_telegram.mark()
    fake_telegram.send_text(
        "/digest_at пятница 18:30 Asia/Novosibirsk", user_id=OWNER_ID, chat_id=CHAT_ID
    )
    done = await fake_telegram.wait_for("sendMessage", chat_id=CHAT_ID, since=mark)
    assert done.text == "Дайджест будет приходить: пятница, 18:30 (Asia/Novosibirsk)."
    async with sessions() as session:
        chat = await session.get_one(Chat, CHAT_ID)
        assert (chat.digest_weekday, chat.digest_time, chat.timezone) == (
            4,
            "18:30",
            "Asia/Novosibirsk",
        )

    mark = fake_telegram.mark()
    fake_telegram.send_text("/digest_at someday", user_id=OWNER_ID, chat_id=CHAT_ID)
    usage = await fake_telegram.wait_for("sendMessage", chat_id=CHAT_ID, since=mark)
    assert "/digest_at пн 10:00" in visible_text(usage.text or "")

    mark = fake_telegram.mark()
    fake_telegram.send_text("/digest_at off", user_id=OWNER_ID, chat_id=CHAT_ID)
    off = await fake_telegram.wait_for("sendMessage", chat_id=CHAT_ID, since=mark)
    assert off.text.startswith("Еженедельный дайджест в этом чате выключен.")
    async with sessions() as session:
        assert not (await session.get_one(Chat, CHAT_ID)).digest_enabled
    assert await queue_due_digests(sessions, NOW) == 0  # switched off: nothing is queued
