"""Reply drafts in the chat: Draft under a negative alert, then Send as is (published through
the fake Google Business Profile API), Regenerate, Edit, Discard; with approval on, a PR
member's reply waits for the owner's Approve. Real bot, fake Bot API over HTTP."""

from __future__ import annotations

import html
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
import pytest
from aiogram import Bot
from aiohttp import web
from sqlalchemy import select, update

from bot.delivery import TelegramNotifier
from bot.setup import build_dispatcher
from replies import Drafter, LLMClient, LLMSettings
from scrapers.publish import ReplyCredentials, ReplyPublisher
from storage.models import Mention, ReplyDraft, ReplySettings, Source
from tests.bot.conftest import GROUP, OWNER, PR, World, drain, polling
from tests.fakes.openai_api import FakeLLM, fake_llm
from tests.fakes.site_server import SiteServer
from tests.fakes.telegram_api import Call, FakeTelegram

__all__ = ["fake_llm"]

LOCATION = "https://mybusiness.googleapis.com/v4/accounts/108/locations/451"
DRAFT = "📝 Черновик"


@pytest.fixture
async def google() -> AsyncIterator[SiteServer]:
    server = SiteServer()
    await server.start()

    async def ok(_request: web.Request) -> web.StreamResponse:
        return web.json_response({"comment": "x", "updateTime": "2026-03-02T10:00:00Z"})

    for review in ("r1", "r2", "r3"):
        server.add_handler(
            f"/v4/accounts/108/locations/451/reviews/{review}/reply", ok, method="PUT"
        )
    yield server
    await server.close()


@dataclass
class Chat:
    """The running bot and what the test needs to press its buttons."""

    fake: FakeTelegram
    world: World
    bot: Bot

    async def alert(self, chat_id: int = GROUP) -> Call:
        await drain(
            TelegramNotifier(self.bot, self.world.sessions, clock=self.world.clock), self.world
        )
        return await self.fake.wait_for("sendMessage", chat_id=chat_id, predicate=_has(DRAFT))

    async def press(self, message: Call, label: str, *, user_id: int, chat_id: int = GROUP) -> int:
        """Press the button `label` under `message`; returns the mark to wait from."""
        data = next(b["callback_data"] for b in message.buttons if b["text"] == label)
        mark = self.fake.mark()
        self.fake.press_button(
            data, user_id=user_id, chat_id=chat_id, message_id=message.result["message_id"]
        )
        return mark

    async def draft(self, alert: Call, *, user_id: int = PR) -> Call:
        mark = await self.press(alert, DRAFT, user_id=user_id)
        return await self.fake.wait_for(
            "sendMessage", chat_id=GROUP, since=mark, predicate=_has("Черновик ответа")
        )


def _has(text: str) -> object:
    def check(call: Call) -> bool:
        return text in (call.text or "") or any(b["text"] == text for b in call.buttons)

    return check


def draft_text(message_text: str) -> str:
    """The draft as the customer would read it: the quoted block of the message."""
    match = re.search(r"<blockquote>(.+)</blockquote>", message_text, re.S)
    assert match, message_text
    return html.unescape(match[1])


@asynccontextmanager
async def running(
    fake: FakeTelegram, world: World, google: SiteServer, drafter: Drafter | None = None
) -> AsyncIterator[Chat]:
    async with aiohttp.ClientSession() as http:
        publisher = ReplyPublisher(
            http,
            ReplyCredentials(google_business_token="ya29.owner", google_business_api=google.origin),
        )
        dispatcher = build_dispatcher(
            sessionmaker=world.sessions, publisher=publisher, drafter=drafter, clock=world.clock
        )
        async with polling(fake, dispatcher) as bot:
            yield Chat(fake, world, bot)


async def google_review(world: World, text: str = "Ждали заказ час, официант нагрубил.") -> int:
    async with world.sessions.begin() as session:
        await session.execute(
            update(Source)
            .where(Source.id == world.source_id)
            .values(kind="google_business", url=LOCATION)
        )
    _, case_id = await world.negative_review(text, url=LOCATION)
    assert case_id is not None
    return case_id


async def test_draft_then_send_publishes_on_google(
    fake_telegram: FakeTelegram, world: World, google: SiteServer
) -> None:
    case_id = await google_review(world)
    async with running(fake_telegram, world, google) as chat:
        alert = await chat.alert()
        shown = await chat.draft(alert)
        text = draft_text(shown.text or "")
        assert f"Черновик ответа</b> на кейс #{case_id} (по шаблону)" in (shown.fields["text"])
        assert text.startswith(("Здравствуйте, Иван!", "Иван,", "Добрый день, Иван!"))
        assert "персонал" in text or "сотрудни" in text or "Обслуживание" in text
        mark = await chat.press(shown, "📤 Отправить как есть", user_id=PR)
        done = await fake_telegram.wait_for("sendMessage", chat_id=GROUP, since=mark)

    assert done.text == f"Ответ на кейс #{case_id} опубликован."
    (request,) = google.hits("/v4/accounts/108/locations/451/reviews/r1/reply")
    assert json.loads(request.body) == {"comment": text}
    case = await world.case(case_id)
    assert (case.status, case.reply_state, case.reply_text) == ("replied", "published", text)
    assert await world.events(case_id) == ["opened", "draft", "reply", "publish"]


async def test_with_approval_a_pr_reply_waits_for_the_owner(
    fake_telegram: FakeTelegram, world: World, google: SiteServer
) -> None:
    async with world.sessions.begin() as session:
        session.add(ReplySettings(brand_id=world.brand_id, approval=True, updated_at=world.clock()))
    case_id = await google_review(world)
    async with running(fake_telegram, world, google) as chat:
        alert = await chat.alert()
        shown = await chat.draft(alert)
        text = draft_text(shown.text or "")
        mark = await chat.press(shown, "📤 Отправить как есть", user_id=PR)
        waiting = await fake_telegram.wait_for("sendMessage", chat_id=GROUP, since=mark)
        assert "ждёт одобрения владельца" in (waiting.text or "")
        assert google.hits("/v4/accounts/108/locations/451/reviews/r1/reply") == []
        case = await world.case(case_id)
        assert (case.reply_state, case.first_response_at) == ("pending", None)
        card = fake_telegram.message(GROUP, alert.result["message_id"])
        assert card is not None and "Ответ (ждёт одобрения)" in card["text"]

        # A PR member cannot approve their own reply from the alert card.
        refreshed = fake_telegram.calls_of("editMessageText", chat_id=GROUP)[-1]
        mark = await chat.press(refreshed, "✅ Одобрить ответ", user_id=PR)
        refusal = await fake_telegram.wait_for("answerCallbackQuery", since=mark)
        assert "только владелец" in refusal.fields.get("text", "")

        await drain(TelegramNotifier(chat.bot, world.sessions, clock=world.clock), world)
        request = await fake_telegram.wait_for(
            "sendMessage", chat_id=OWNER, predicate=_has("одобрения")
        )
        assert f"кейс #{case_id}" in (request.text or "") and text.split("\n")[0] in (
            request.text or ""
        )
        mark = await chat.press(request, "✅ Одобрить ответ", user_id=OWNER, chat_id=OWNER)
        done = await fake_telegram.wait_for(
            "sendMessage", chat_id=OWNER, since=mark, predicate=_has("опубликован")
        )
        edited = await fake_telegram.wait_for(
            "editMessageText", chat_id=OWNER, since=mark, predicate=_has("Одобрено")
        )

    assert done.text == f"Ответ на кейс #{case_id} опубликован."
    assert edited.buttons == []
    (hit,) = google.hits("/v4/accounts/108/locations/451/reviews/r1/reply")
    assert json.loads(hit.body) == {"comment": text}
    case = await world.case(case_id)
    assert (case.status, case.reply_state) == ("replied", "published")
    assert await world.events(case_id) == [
        "opened",
        "draft",
        "submit_reply",
        "approve_reply",
        "publish",
    ]


async def test_owner_sends_back_a_reply_and_the_author_hears_of_it(
    fake_telegram: FakeTelegram, world: World, google: SiteServer
) -> None:
    async with world.sessions.begin() as session:
        session.add(ReplySettings(brand_id=world.brand_id, approval=True, updated_at=world.clock()))
    case_id = await google_review(world)
    async with running(fake_telegram, world, google) as chat:
        mark = fake_telegram.mark()
        fake_telegram.send_text(f"/reply {case_id} Простите нас, разберёмся", user_id=PR)
        waiting = await fake_telegram.wait_for("sendMessage", chat_id=PR, since=mark)
        assert "ждёт одобрения" in (waiting.text or "")
        # The owner replying himself is not held back, but here he sends the PR reply back.
        await drain(TelegramNotifier(chat.bot, world.sessions, clock=world.clock), world)
        request = await fake_telegram.wait_for(
            "sendMessage", chat_id=OWNER, predicate=_has("одобрения")
        )
        assert "Простите нас, разберёмся" in (request.text or "")
        mark = await chat.press(request, "↩️ Вернуть", user_id=OWNER, chat_id=OWNER)
        await fake_telegram.wait_for("answerCallbackQuery", since=mark)
        await drain(TelegramNotifier(chat.bot, world.sessions, clock=world.clock), world)
        told = await fake_telegram.wait_for("sendMessage", chat_id=PR, predicate=_has("вернул"))
    assert f"кейс #{case_id}" in (told.text or "")
    case = await world.case(case_id)
    assert case.reply_state == "rejected" and google.requests == []
    assert await world.events(case_id) == ["opened", "submit_reply", "reject_reply"]


async def test_regenerate_gives_another_text_and_discard_removes_the_draft(
    fake_telegram: FakeTelegram, world: World, google: SiteServer
) -> None:
    case_id = await google_review(world)
    async with running(fake_telegram, world, google) as chat:
        alert = await chat.alert()
        shown = await chat.draft(alert)
        first = draft_text(shown.text or "")
        mark = await chat.press(shown, "🔄 Другой вариант", user_id=PR)
        again = await fake_telegram.wait_for(
            "editMessageText", chat_id=GROUP, since=mark, predicate=_has("Черновик ответа")
        )
        second = draft_text(again.text or "")
        assert second != first
        mark = await chat.press(again, "🗑 Не нужен", user_id=PR)
        gone = await fake_telegram.wait_for(
            "editMessageText", chat_id=GROUP, since=mark, predicate=_has("удалён")
        )
        # The replaced draft's buttons no longer act.
        mark = await chat.press(shown, "📤 Отправить как есть", user_id=PR)
        stale = await fake_telegram.wait_for("answerCallbackQuery", since=mark)
    assert gone.text == f"🗑 Черновик для кейса #{case_id} удалён."
    assert "уже отправлен, заменён или удалён" in stale.fields.get("text", "")
    async with world.sessions() as session:
        states = list(await session.scalars(select(ReplyDraft.state).order_by(ReplyDraft.id)))
    assert states == ["replaced", "discarded"]
    assert await world.events(case_id) == ["opened", "draft", "draft_regenerate", "draft_discard"]
    assert google.requests == []


async def test_edit_sends_the_corrected_text(
    fake_telegram: FakeTelegram, world: World, google: SiteServer
) -> None:
    case_id = await google_review(world)
    async with running(fake_telegram, world, google) as chat:
        alert = await chat.alert()
        shown = await chat.draft(alert)
        mark = await chat.press(shown, "✏️ Изменить", user_id=PR)
        prompt = await fake_telegram.wait_for("sendMessage", chat_id=GROUP, since=mark)
        assert f"исправленный ответ на кейс #{case_id}" in (prompt.text or "")
        assert draft_text(shown.text or "").split("\n")[0] in (prompt.text or "")
        mark = fake_telegram.mark()
        fake_telegram.send_text("Иван, простите нас за ожидание.", user_id=PR, chat_id=GROUP)
        done = await fake_telegram.wait_for("sendMessage", chat_id=GROUP, since=mark)
    assert done.text == f"Ответ на кейс #{case_id} опубликован."
    (hit,) = google.hits("/v4/accounts/108/locations/451/reviews/r1/reply")
    assert json.loads(hit.body) == {"comment": "Иван, простите нас за ожидание."}
    assert await world.events(case_id) == ["opened", "draft", "draft_edit", "reply", "publish"]


async def test_language_model_drafts_and_its_timeout_in_the_chat(
    fake_telegram: FakeTelegram, world: World, google: SiteServer, fake_llm: FakeLLM
) -> None:
    case_id = await google_review(world)
    answer = "Иван, здравствуйте! Простите за ожидание и грубость, разберёмся.\n\nКофемания"
    fake_llm.answer(answer)
    fake_llm.slow(1.5)
    async with aiohttp.ClientSession() as http:
        settings = LLMSettings(url=fake_llm.url, model="local", timeout=0.5)
        async with running(
            fake_telegram, world, google, Drafter(LLMClient(http, settings))
        ) as chat:
            alert = await chat.alert()
            shown = await chat.draft(alert)
            assert "(языковая модель)" in (shown.text or "")
            assert draft_text(shown.text or "") == answer
            mark = await chat.press(shown, "🔄 Другой вариант", user_id=PR)
            fallback = await fake_telegram.wait_for(
                "editMessageText", chat_id=GROUP, since=mark, predicate=_has("Черновик ответа")
            )
    text = fallback.text or ""
    assert "(по шаблону)" in text
    assert "Языковая модель не помогла (no answer within 0.5 s)" in text
    assert await world.events(case_id) == ["opened", "draft", "draft_regenerate"]
    async with world.sessions() as session:
        drafts = list(await session.scalars(select(ReplyDraft).order_by(ReplyDraft.id)))
    assert [(d.origin, d.fallback) for d in drafts] == [("llm", None), ("template", "llm_failed")]


async def test_mention_without_name_is_greeted_politely(
    fake_telegram: FakeTelegram, world: World, google: SiteServer
) -> None:
    case_id = await google_review(world)
    async with world.sessions.begin() as session:
        await session.execute(update(Mention).values(author="user8812"))
    async with running(fake_telegram, world, google) as chat:
        shown = await chat.draft(await chat.alert())
    assert draft_text(shown.text or "").split("\n")[0] in {
        "Здравствуйте!",
        "Добрый день!",
        "Приветствуем вас!",
    }
    assert case_id
