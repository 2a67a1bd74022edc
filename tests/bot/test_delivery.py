"""Delivery through the outbox: retries on 429 / 500 with nothing lost or doubled, blocked
chats, quiet hours, and hostile review text rendered safely."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.deadlines import check_deadlines
from bot.delivery import TelegramNotifier
from bot.errors import ChatUnavailable, RetryLater
from common.vocabulary import SourceHealth
from storage.records import HealthNotice
from storage.repositories import brands_admin, chats
from storage.repositories import cases as cases_repo
from storage.repositories.outbox import enqueue
from tests.bot.conftest import GROUP, OWNER, PR, World, drain, due
from tests.fakes.telegram_api import FakeTelegram


async def test_429_and_500_are_retried_without_loss_or_duplicate(
    fake_telegram: FakeTelegram, world: World
) -> None:
    notifier = TelegramNotifier(fake_telegram.make_bot(), world.sessions, clock=world.clock)
    for number in range(3):
        await world.negative_review(f"Отзыв номер {number}")
    fake_telegram.fail_next("sendMessage", status=429, retry_after=7)
    fake_telegram.fail_next("sendMessage", times=2, status=500)
    await drain(notifier, world)
    rows = await world.outbox("alert")
    assert sum(r.status == "sent" for r in rows) == 3
    waiting = [r for r in rows if r.status == "pending"]
    assert len(waiting) == 3 and all(r.attempts == 1 for r in waiting)
    flood = next(r for r in waiting if "flood" in (r.last_error or ""))
    assert flood.next_attempt_at == world.clock() + timedelta(seconds=7)  # retry_after respected
    world.clock.advance(minutes=5)
    await drain(notifier, world)
    assert {r.status for r in await world.outbox("alert")} == {"sent"}
    await drain(notifier, world)
    sent = fake_telegram.calls_of("sendMessage")
    assert len(sent) == 6  # 3 reviews x 2 chats, each exactly once
    assert len({(c.chat_id, c.text) for c in sent}) == 6


async def test_notifier_maps_telegram_errors(fake_telegram: FakeTelegram, world: World) -> None:
    notifier = TelegramNotifier(fake_telegram.make_bot(), world.sessions, clock=world.clock)
    await world.negative_review()
    row = (await due(world))[0]
    fake_telegram.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryLater) as info:
        await notifier.deliver(row)
    assert info.value.retry_after == 3
    fake_telegram.fail_next("sendMessage", status=502)
    with pytest.raises(RetryLater):
        await notifier.deliver(row)
    fake_telegram.block_chat(row.chat_id)
    with pytest.raises(ChatUnavailable):
        await notifier.deliver(row)
    fake_telegram.unblock_chat(row.chat_id)
    fake_telegram.fail_next("sendMessage", status=400, description="Bad Request: chat not found")
    with pytest.raises(ChatUnavailable):
        await notifier.deliver(row)


async def test_blocked_chat_is_marked_and_skipped(
    fake_telegram: FakeTelegram, world: World
) -> None:
    notifier = TelegramNotifier(fake_telegram.make_bot(), world.sessions, clock=world.clock)
    await world.negative_review()
    await world.negative_review("Второй")
    fake_telegram.block_chat(OWNER)
    await drain(notifier, world)
    rows = await world.outbox("alert")
    assert {r.status for r in rows if r.chat_id == OWNER} == {"skipped"}
    assert {r.status for r in rows if r.chat_id == GROUP} == {"sent"}


async def test_quiet_hours_delay_alerts(fake_telegram: FakeTelegram, world: World) -> None:
    notifier = TelegramNotifier(fake_telegram.make_bot(), world.sessions, clock=world.clock)
    async with world.sessions.begin() as session:
        # 12:30 Moscow now: quiet until 13:00.
        await brands_admin.set_quiet_hours(session, world.brand_id, "12:00", "13:00")
    await world.negative_review()
    row = (await due(world))[0]
    with pytest.raises(RetryLater) as info:
        await notifier.deliver(row)
    assert info.value.retry_after == 30 * 60
    world.clock.advance(minutes=31)
    assert await notifier.deliver(row)


async def test_paused_alerts_are_recorded_as_skipped_not_sent(
    fake_telegram: FakeTelegram, world: World
) -> None:
    notifier = TelegramNotifier(fake_telegram.make_bot(), world.sessions, clock=world.clock)
    async with world.sessions.begin() as session:
        await brands_admin.set_pause(session, world.brand_id, world.clock() + timedelta(hours=2))
    await world.negative_review()
    await drain(notifier, world)
    rows = await world.outbox("alert")
    assert {r.status for r in rows} == {"skipped"}
    assert all("paused until" in (r.last_error or "") for r in rows)
    assert fake_telegram.calls_of("sendMessage") == []


async def test_texts_go_out_in_the_chat_language(fake_telegram: FakeTelegram, world: World) -> None:
    notifier = TelegramNotifier(fake_telegram.make_bot(), world.sessions, clock=world.clock)
    async with world.sessions.begin() as session:
        await chats.set_language(session, GROUP, "en", now=world.clock())
        for chat in (OWNER, GROUP):
            await enqueue(
                session,
                dedup_key=f"health:1:{chat}",
                chat_id=chat,
                kind="health",
                payload=HealthNotice(
                    world.source_id, SourceHealth.UNHEALTHY, failures=3, error="HTTP 503"
                ).to_payload(),
                now=world.clock(),
            )
    await drain(notifier, world)
    english = (await fake_telegram.wait_for("sendMessage", chat_id=GROUP)).text or ""
    assert english.startswith("⚠️ Source") and "Failures in a row: 3" in english
    russian = (await fake_telegram.wait_for("sendMessage", chat_id=OWNER)).text or ""
    assert russian.startswith("⚠️ Источник") and "Ошибок подряд: 3" in russian


async def test_hostile_text_renders_and_long_text_is_trimmed(
    fake_telegram: FakeTelegram, world: World
) -> None:
    notifier = TelegramNotifier(fake_telegram.make_bot(), world.sessions, clock=world.clock)
    hostile = "<script>alert(1)</script> & <b>не жирный</b> 😡🤬 " + "Ужасно 💩 & <плохо> " * 400
    await world.negative_review(hostile, author="<Админ & Ко>", url="https://2gis.ru/r?a=1&b=<2>")
    await drain(notifier, world)
    call = await fake_telegram.wait_for("sendMessage", chat_id=GROUP)
    text = call.text or ""
    assert len(text.encode("utf-16-le")) // 2 <= 4096
    assert "&lt;script&gt;" in text and "&lt;Админ &amp; Ко&gt;" in text and "😡🤬" in text
    assert "<script>" not in text and "<b>не жирный" not in text
    assert "читать полностью" in text and 'href="https://2gis.ru/r?a=1&amp;b=&lt;2&gt;"' in text
    assert {r.status for r in await world.outbox("alert")} == {"sent"}


async def test_reminder_then_escalation_once(fake_telegram: FakeTelegram, world: World) -> None:
    notifier = TelegramNotifier(fake_telegram.make_bot(), world.sessions, clock=world.clock)
    _, case_id = await world.negative_review()
    async with world.sessions.begin() as session:
        await cases_repo.change_case(
            session,
            case_id,
            now=world.clock(),
            action="take",
            actor_id=PR,
            actor_name="Пётр",
            status="in_progress",
            assignee_id=PR,
        )
    assert await check_deadlines(world.sessions, world.clock.advance(minutes=30)) == 0
    assert await check_deadlines(world.sessions, world.clock.advance(minutes=16)) == 1
    assert await check_deadlines(world.sessions, world.clock.advance(minutes=1)) == 0
    await drain(notifier, world)
    reminder = await fake_telegram.wait_for("sendMessage", chat_id=PR)
    assert f"Кейс #{case_id}" in (reminder.text or "") and "осталось 14 мин" in (
        reminder.text or ""
    )
    assert await check_deadlines(world.sessions, world.clock.advance(minutes=14)) == 1
    assert await check_deadlines(world.sessions, world.clock.advance(minutes=10)) == 0
    await drain(notifier, world)
    escalation = await fake_telegram.wait_for(
        "sendMessage", chat_id=OWNER, predicate=lambda c: "просрочен" in (c.text or "")
    )
    assert "Пётр" in (escalation.text or "")
    case = await world.case(case_id)
    assert case.reminded_at is not None and case.escalated_at is not None
    assert [r.kind for r in await world.outbox() if r.kind != "alert"] == ["reminder", "escalation"]
