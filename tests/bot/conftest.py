"""Fixtures for the bot tests: the fake Telegram server, a migrated database, a running bot,
and small factories that write rows directly (the pipeline is tested elsewhere)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import TelegramNotifier
from bot.setup import build_dispatcher
from common.worktime import due_at
from otklik.sender import Sender
from storage.db import make_sessionmaker
from storage.models import (
    Brand,
    BrandChat,
    Case,
    CaseEvent,
    Chat,
    Member,
    Mention,
    OutboxMessage,
    Source,
)
from storage.records import OutboxRecord
from storage.repositories.outbox import due_messages
from tests.fakes.telegram_api import FakeTelegram, fake_telegram

__all__ = ["fake_telegram"]

OWNER = 1001
PR = 1002
VIEWER = 1003
STRANGER = 6666
GROUP = -100500
START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # a Monday, 12:30 in Moscow: working hours


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@dataclass
class World:
    """One brand with an owner (private chat), a PR member, a viewer and a group chat."""

    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    brand_id: int = 0
    source_id: int = 0
    counter: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    async def setup(self, *, name: str = "Кофемания", response_minutes: int = 60) -> World:
        async with self.sessions.begin() as session:
            brand = Brand(
                name=name,
                aliases=[name],
                created_at=self.clock(),
                response_minutes=response_minutes,
                work_start="00:00",
                work_end="00:00",
            )
            session.add(brand)
            await session.flush()
            self.brand_id = brand.id
            source = Source(
                brand_id=brand.id,
                kind="twogis",
                url="https://2gis.ru/moscow/firm/70000001",
                created_at=self.clock(),
                backfilled=True,
            )
            session.add(source)
            for chat_id in (OWNER, GROUP):
                session.add(Chat(id=chat_id, created_at=self.clock()))
            await session.flush()
            self.source_id = source.id
            for chat_id in (OWNER, GROUP):
                session.add(BrandChat(brand_id=brand.id, chat_id=chat_id))
            for user_id, role, member_name in (
                (OWNER, "owner", "Ольга"),
                (PR, "pr", "Пётр"),
                (VIEWER, "viewer", "Вера"),
            ):
                session.add(
                    Member(
                        brand_id=brand.id,
                        user_id=user_id,
                        role=role,
                        name=member_name,
                        created_at=self.clock(),
                    )
                )
        return self

    async def negative_review(
        self,
        text: str = "Ждали заказ час, официант нагрубил.",
        *,
        rating: float = 1,
        author: str = "Иван",
        url: str | None = None,
        with_case: bool = True,
    ) -> tuple[int, int | None]:
        """A stored negative mention with its case and alert rows for the brand's chats."""
        self.counter += 1
        now = self.clock()
        async with self.sessions.begin() as session:
            mention = Mention(
                source_id=self.source_id,
                brand_id=self.brand_id,
                dedup_key=f"r{self.counter}",
                external_id=f"r{self.counter}",
                content_hash=f"h{self.counter}",
                url=url or f"https://2gis.ru/moscow/firm/70000001/tab/reviews/r{self.counter}",
                author=author,
                rating=rating,
                text=text,
                published_at=now,
                first_seen_at=now,
                sentiment_label="negative",
                sentiment_score=0.93,
                touchpoints=[
                    {"tag": "staff", "polarity": "negative"},
                    {"tag": "waiting", "polarity": "negative"},
                ],
                classified_at=now,
            )
            session.add(mention)
            await session.flush()
            case_id = None
            if with_case:
                case = Case(
                    mention_id=mention.id,
                    brand_id=self.brand_id,
                    status="new",
                    due_at=due_at(now, minutes=60, work_start="00:00", work_end="00:00"),
                    created_at=now,
                    updated_at=now,
                )
                session.add(case)
                await session.flush()
                session.add(CaseEvent(case_id=case.id, action="opened", created_at=now))
                case_id = case.id
            for chat_id in (OWNER, GROUP):
                session.add(
                    OutboxMessage(
                        dedup_key=f"alert:{mention.id}:{chat_id}",
                        chat_id=chat_id,
                        brand_id=self.brand_id,
                        kind="alert",
                        mention_id=mention.id,
                        case_id=case_id,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
        return mention.id, case_id

    async def case(self, case_id: int) -> Case:
        async with self.sessions() as session:
            return await session.get_one(Case, case_id)

    async def events(self, case_id: int) -> list[str]:
        async with self.sessions() as session:
            rows = await session.scalars(
                select(CaseEvent.action).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
            )
            return list(rows)

    async def outbox(self, kind: str | None = None) -> list[OutboxMessage]:
        async with self.sessions() as session:
            query = select(OutboxMessage).order_by(OutboxMessage.id)
            if kind:
                query = query.where(OutboxMessage.kind == kind)
            return list(await session.scalars(query))


async def drain(notifier: TelegramNotifier, world: World) -> dict[int, int]:
    """Send every pending outbox row through the core's Sender; returns outbox id → message id."""
    sender = Sender(world.sessions, notifier, clock=world.clock)
    await sender.drain_once()
    return {row.id: row.sent_message_id for row in await world.outbox() if row.sent_message_id}


async def due(world: World) -> list[OutboxRecord]:
    """Outbox messages due now, as the core's Sender would hand them to the notifier."""
    async with world.sessions() as session:
        return await due_messages(session, world.clock())


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def world(sqlite_engine: Any, clock: Clock) -> World:
    return await World(make_sessionmaker(sqlite_engine), clock).setup()


@dataclass
class RunningBot:
    bot: Bot
    dispatcher: Dispatcher
    notifier: TelegramNotifier
    fake: FakeTelegram


@asynccontextmanager
async def polling(fake: FakeTelegram, dispatcher: Dispatcher) -> AsyncIterator[Bot]:
    """The dispatcher polls the fake server over HTTP until the block ends."""
    bot = fake.make_bot()
    task = asyncio.create_task(
        dispatcher.start_polling(
            bot, handle_signals=False, polling_timeout=1, close_bot_session=False
        )
    )
    try:
        yield bot
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(task, 5)


@pytest.fixture
async def running_bot(fake_telegram: FakeTelegram, world: World) -> AsyncIterator[RunningBot]:
    """The real dispatcher polling the fake server over HTTP."""
    dispatcher = build_dispatcher(sessionmaker=world.sessions, clock=world.clock)
    async with polling(fake_telegram, dispatcher) as bot:
        notifier = TelegramNotifier(bot, world.sessions, clock=world.clock)
        yield RunningBot(bot, dispatcher, notifier, fake_telegram)
