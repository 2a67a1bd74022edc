"""The bot on the real PostgreSQL server: alert, a button press, an invite, a deadline."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.deadlines import check_deadlines
from bot.delivery import TelegramNotifier
from bot.setup import build_dispatcher
from storage.db import make_engine, make_sessionmaker, upgrade
from tests.bot.conftest import GROUP, OWNER, PR, STRANGER, Clock, World, drain, polling
from tests.fakes.telegram_api import FakeTelegram


@pytest.fixture
async def pg_world(postgres_url: str, clock: Clock) -> AsyncIterator[World]:
    engine = make_engine(postgres_url)
    await upgrade(engine)
    try:
        yield await World(make_sessionmaker(engine), clock).setup()
    finally:
        await engine.dispose()


async def test_bot_on_postgres(fake_telegram: FakeTelegram, pg_world: World) -> None:
    world, fake = pg_world, fake_telegram
    dispatcher = build_dispatcher(sessionmaker=world.sessions, clock=world.clock)
    async with polling(fake, dispatcher) as bot:
        _, case_id = await world.negative_review()
        await drain(TelegramNotifier(bot, world.sessions, clock=world.clock), world)
        alert = await fake.wait_for("sendMessage", chat_id=GROUP)
        take = next(b["callback_data"] for b in alert.buttons if "callback_data" in b)
        fake.press_button(take, user_id=PR, chat_id=GROUP, message_id=alert.result["message_id"])
        await fake.wait_for(
            "editMessageText", chat_id=GROUP, predicate=lambda c: "в работе" in (c.text or "")
        )
        assert (await world.case(case_id)).assignee_id == PR

        mark = fake.mark()
        fake.send_text("/invite viewer", user_id=OWNER)
        invite = await fake.wait_for("sendMessage", chat_id=OWNER, since=mark)
        code = (invite.text or "").split("start=")[1].split()[0]
        for user in (STRANGER, STRANGER + 1):
            fake.send_text(f"/start {code}", user_id=user)
        first = await fake.wait_for("sendMessage", chat_id=STRANGER, since=mark)
        second = await fake.wait_for("sendMessage", chat_id=STRANGER + 1, since=mark)
        # Both arrive at once (handled concurrently): exactly one joins.
        outcomes = sorted("в команде" in (c.text or "") for c in (first, second))
        assert outcomes == [False, True]

        assert await check_deadlines(world.sessions, world.clock.advance(minutes=61)) == 1
        assert await check_deadlines(world.sessions, world.clock.advance(minutes=1)) == 0
