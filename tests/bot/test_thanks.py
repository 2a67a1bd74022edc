"""Thanks for praise: after the brand's delay a positive review is thanked on Google through
its API, or the team gets a ready text with a "posted" button; never a review whose stars and
text disagree, never before the delay."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select, update

from bot.delivery import TelegramNotifier
from bot.setup import build_dispatcher
from bot.thanks import thank_for_praise
from replies import Drafter
from scrapers.publish import ReplyCredentials, ReplyPublisher
from storage.models import Mention, OutboxMessage, PraiseReply, ReplySettings, Source
from tests.bot.conftest import GROUP, PR, World, drain, polling
from tests.fakes.site_server import SiteServer
from tests.fakes.telegram_api import FakeTelegram

LOCATION = "https://mybusiness.googleapis.com/v4/accounts/108/locations/451"


@pytest.fixture
async def google() -> AsyncIterator[SiteServer]:
    server = SiteServer()
    await server.start()

    async def ok(_request: web.Request) -> web.StreamResponse:
        return web.json_response({"comment": "x", "updateTime": "2026-03-02T10:00:00Z"})

    server.add_handler("/v4/accounts/108/locations/451/reviews/r1/reply", ok, method="PUT")
    yield server
    await server.close()


async def praise(
    world: World, text: str, *, needs_review: bool = False, url: str | None = None
) -> int:
    """A stored positive review without a case (as the pipeline stores praise)."""
    mention_id, _ = await world.negative_review(text, rating=5, url=url, with_case=False)
    async with world.sessions.begin() as session:
        await session.execute(
            update(Mention)
            .where(Mention.id == mention_id)
            .values(
                sentiment_label="positive",
                needs_review=needs_review,
                touchpoints=[{"tag": "staff", "polarity": "positive"}],
            )
        )
        await session.execute(update(OutboxMessage).values(status="sent"))
    return mention_id


async def switch_on(world: World, *, kind: str, url: str) -> None:
    async with world.sessions.begin() as session:
        session.add(
            ReplySettings(
                brand_id=world.brand_id,
                thanks=True,
                thanks_delay_minutes=30,
                thanks_since=world.clock(),
                updated_at=world.clock(),
            )
        )
        await session.execute(
            update(Source).where(Source.id == world.source_id).values(kind=kind, url=url)
        )


async def test_praise_is_thanked_on_google_after_the_delay(
    fake_telegram: FakeTelegram, world: World, google: SiteServer
) -> None:
    await switch_on(world, kind="google_business", url=LOCATION)
    await praise(world, "Спасибо, официант был очень вежлив!", url=LOCATION)
    await praise(world, "Отличный сервис, но всё ужасно", needs_review=True, url=LOCATION)
    async with aiohttp.ClientSession() as http:
        publisher = ReplyPublisher(
            http,
            ReplyCredentials(google_business_token="ya29.owner", google_business_api=google.origin),
        )
        drafter = Drafter()
        assert await thank_for_praise(world.sessions, drafter, publisher, world.clock()) == 0
        world.clock.advance(minutes=29)
        assert await thank_for_praise(world.sessions, drafter, publisher, world.clock()) == 0
        world.clock.advance(minutes=2)
        assert await thank_for_praise(world.sessions, drafter, publisher, world.clock()) == 2
        world.clock.advance(hours=5)
        assert await thank_for_praise(world.sessions, drafter, publisher, world.clock()) == 0

        bot = fake_telegram.make_bot()
        try:
            await drain(TelegramNotifier(bot, world.sessions, clock=world.clock), world)
        finally:
            await bot.session.close()

    (hit,) = google.hits("/v4/accounts/108/locations/451/reviews/r1/reply")
    comment = json.loads(hit.body)["comment"]
    assert comment.startswith(("Здравствуйте, Иван!", "Иван,", "Добрый день, Иван!"))
    assert "персонал" in comment or "сотрудник" in comment
    told = await fake_telegram.wait_for("sendMessage", chat_id=GROUP)
    assert "Благодарность опубликована" in (told.text or "") and told.buttons == []
    async with world.sessions() as session:
        rows = list(await session.scalars(select(PraiseReply)))
    assert [(r.mention_id, r.state) for r in rows] == [(1, "published")]  # never the flagged one


async def test_without_an_api_the_team_gets_a_one_tap_suggestion(
    fake_telegram: FakeTelegram, world: World
) -> None:
    await switch_on(world, kind="twogis", url="https://2gis.ru/moscow/firm/70000001")
    await praise(world, "Great coffee and friendly staff!")
    world.clock.advance(minutes=31)
    dispatcher = build_dispatcher(sessionmaker=world.sessions, clock=world.clock)
    async with polling(fake_telegram, dispatcher) as bot:
        assert await thank_for_praise(world.sessions, Drafter(), None, world.clock()) == 2
        await drain(TelegramNotifier(bot, world.sessions, clock=world.clock), world)
        offer = await fake_telegram.wait_for("sendMessage", chat_id=GROUP)
        text = offer.text or ""
        assert "Поблагодарите за отзыв" in text and "Great coffee" in text
        assert "thank" in text.casefold() and "team</blockquote>" in text  # in English
        posted = next(b["callback_data"] for b in offer.buttons if b["text"] == "✅ Опубликовал(а)")
        assert any(b.get("url", "").startswith("https://2gis.ru/") for b in offer.buttons)
        mark = fake_telegram.mark()
        fake_telegram.press_button(
            posted, user_id=PR, chat_id=GROUP, message_id=offer.result["message_id"]
        )
        edited = await fake_telegram.wait_for("editMessageText", chat_id=GROUP, since=mark)
    assert "отмечена как опубликованная" in (edited.text or "") and edited.buttons == []
    async with world.sessions() as session:
        row = (await session.scalars(select(PraiseReply))).one()
    assert (row.state, row.done_by) == ("posted", PR)
