"""The weekly digest of a 3-branch brand with 2 competitors through the real bot and the fake
Bot API: the digest, then the branch ranking and comparison charts and the insight text, in
Russian and English; a retry after the insight failed sends only what had not gone out; /compare."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.delivery import TelegramNotifier
from bot.errors import RetryLater
from bot.setup import build_dispatcher
from otklik.digest_schedule import queue_due_digests
from storage.db import make_sessionmaker
from storage.models import Branch, Brand, BrandChat, Chat
from storage.records import OutboxRecord
from storage.repositories import digests, outbox
from tests.bot.conftest import polling
from tests.fakes.telegram_api import FakeTelegram
from tests.reports.factories import CHAT_ID, NOW, OWNER_ID, add_chat, add_member, build_chain
from tests.reports.html_check import visible_text


@pytest.fixture
def sessions(sqlite_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(sqlite_engine)


async def _chain_with_chat(sessions: async_sessionmaker[AsyncSession], language: str) -> None:
    async with sessions() as session, session.begin():
        chain = await build_chain(session)
        brand = await session.get_one(Brand, chain.brand_id)
        await add_chat(session, CHAT_ID, brand, created_at=brand.created_at, language=language)
        await add_member(session, brand, OWNER_ID)


async def _queued_digest(sessions: async_sessionmaker[AsyncSession]) -> OutboxRecord:
    await _chain_with_chat(sessions, "ru")
    assert await queue_due_digests(sessions, NOW) == 1
    async with sessions() as session:
        (message,) = await outbox.due_messages(session, NOW)
    return message


WANTED = {
    "ru": ["🏆 Лучший: Арбат +60", "⚠️ Худший: Невский −40",
           "📈 Сильнее всего изменился: Тверская 0", "Сравнение с конкурентами",
           "Старбакс: индекс +100", "Шоколадница: индекс 0", "Невский     −100"],
    "en": ["🏆 Best: Арбат +60", "⚠️ Worst: Невский −40", "📈 Biggest change: Тверская 0",
           "Against competitors", "Старбакс: index +100", "Шоколадница: index 0"],
}  # fmt: skip


@pytest.mark.parametrize("lang", ["ru", "en"])
async def test_chain_digest_brings_branch_and_competitor_charts(
    sessions: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram, lang: str
) -> None:
    await _chain_with_chat(sessions, lang)
    assert await queue_due_digests(sessions, NOW) == 1  # competitors get no digest of their own
    async with sessions() as session:
        (message,) = await outbox.due_messages(session, NOW)
    sent_id = await TelegramNotifier(fake_telegram.make_bot(), sessions, clock=lambda: NOW).deliver(
        message
    )

    photos = fake_telegram.calls_of("sendPhoto", chat_id=CHAT_ID)
    assert len(photos) == 3  # digest chart, branch ranking, comparison
    for photo in photos[1:]:
        assert photo.file is not None
        width, height = Image.open(io.BytesIO(photo.file.data)).size
        assert width == 1080 and 400 <= height <= 800
    texts = fake_telegram.calls_of("sendMessage", chat_id=CHAT_ID)
    # This digest is short: its text is the caption of its chart; the insight text comes last.
    assert len(texts) == 1 and texts[-1].result["message_id"] == sent_id
    insight = visible_text(texts[-1].text or "")
    for wanted in WANTED[lang]:
        assert wanted in insight
    shown = fake_telegram.messages(CHAT_ID)
    assert [("photo" in item) for item in shown] == [True, True, True, False]


async def test_retry_after_the_digest_went_out_sends_only_the_insight(
    sessions: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    message = await _queued_digest(sessions)
    # Telegram down: nothing goes out. Then, as if the digest had gone out before a failure
    # of the insight's charts, the retry sends the insight alone.
    fake_telegram.fail_next("sendPhoto", status=500, times=1)
    notifier = TelegramNotifier(fake_telegram.make_bot(), sessions, clock=lambda: NOW)
    with pytest.raises(RetryLater):
        await notifier.deliver(message)
    assert fake_telegram.calls_of("sendMessage", chat_id=CHAT_ID) == []
    async with sessions() as session, session.begin():
        await digests.save_outbox_payload(
            session, message.id, {**message.payload, "digest_message_id": 77}
        )
    await notifier.deliver(message)
    ok = [c for c in fake_telegram.calls_of("sendMessage", chat_id=CHAT_ID) if c.ok]
    assert len(ok) == 1 and "Лучший" in (ok[0].text or "")
    assert len([c for c in fake_telegram.calls_of("sendPhoto", chat_id=CHAT_ID) if c.ok]) == 2


async def test_retry_after_the_insight_charts_went_out_sends_only_its_text(
    sessions: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    message = await _queued_digest(sessions)
    fake_telegram.fail_next("sendMessage", status=500, times=1)  # the insight's text
    notifier = TelegramNotifier(fake_telegram.make_bot(), sessions, clock=lambda: NOW)
    with pytest.raises(RetryLater):
        await notifier.deliver(message)
    await notifier.deliver(message)
    photos = [c for c in fake_telegram.calls_of("sendPhoto", chat_id=CHAT_ID) if c.ok]
    assert [p.file.filename for p in photos if p.file] == [
        "digest.png",
        "branches.png",
        "compare.png",
    ]
    (text,) = [c for c in fake_telegram.calls_of("sendMessage", chat_id=CHAT_ID) if c.ok]
    assert "Лучший" in (text.text or "")


async def test_compare_command(
    sessions: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    await _chain_with_chat(sessions, "en")
    async with polling(fake_telegram, build_dispatcher(sessionmaker=sessions, clock=lambda: NOW)):
        mark = fake_telegram.mark()
        fake_telegram.send_text("/compare 2026-10", user_id=OWNER_ID, chat_id=CHAT_ID)
        reply = await fake_telegram.wait_for("sendMessage", chat_id=CHAT_ID, since=mark)
    assert len(fake_telegram.calls_of("sendPhoto", chat_id=CHAT_ID)) == 2
    text = visible_text(reply.text or "")
    assert "Кофемания — reputation index, Oct 1–31, 2026" in text
    assert "Against competitors" in text


async def test_a_branch_managers_chat_gets_its_branch_digest_only(
    sessions: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    await _chain_with_chat(sessions, "ru")
    manager_chat = -100888
    async with sessions() as session, session.begin():
        brand = await session.scalar(select(Brand).where(Brand.name == "Кофемания"))
        assert brand is not None
        session.add(Chat(id=manager_chat, created_at=brand.created_at))
        branch = await session.scalar(select(Branch).where(Branch.name == "Невский"))
        assert branch is not None
        await session.flush()
        session.add(BrandChat(brand_id=brand.id, chat_id=manager_chat, branch_id=branch.id))
    assert await queue_due_digests(sessions, NOW) == 2
    async with sessions() as session:
        queued = await outbox.due_messages(session, NOW)
    notifier = TelegramNotifier(fake_telegram.make_bot(), sessions, clock=lambda: NOW)
    for message in queued:
        await notifier.deliver(message)
    (photo,) = fake_telegram.calls_of("sendPhoto", chat_id=manager_chat)
    text = visible_text(photo.text or "") + "".join(
        visible_text(c.text or "")
        for c in fake_telegram.calls_of("sendMessage", chat_id=manager_chat)
    )
    assert "Кофемания · Невский — дайджест репутации" in text
    assert "Упоминаний: 5 (было 3, +2)" in text
    assert "Лучший" not in text  # no ranking of the other branches
    assert len(fake_telegram.calls_of("sendPhoto", chat_id=CHAT_ID)) == 3
