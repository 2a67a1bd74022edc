"""A reply written in the bot is published on the platform where an official API allows it,
and a refusal is reported in the chat with the text kept on the case."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import update

from bot.setup import build_dispatcher
from scrapers.publish import ReplyCredentials, ReplyPublisher
from storage.models import Mention, Source
from tests.bot.conftest import PR, World, polling
from tests.fakes.site_server import Handler, SiteServer
from tests.fakes.telegram_api import FakeTelegram

LOCATION = "https://mybusiness.googleapis.com/v4/accounts/108/locations/451"


@pytest.fixture
async def google() -> AsyncIterator[SiteServer]:
    server = SiteServer()
    await server.start()
    yield server
    await server.close()


def answer(status: int, body: dict[str, object]) -> Handler:
    async def handler(_request: web.Request) -> web.StreamResponse:
        return web.json_response(body, status=status)

    return handler


async def test_reply_is_published_on_google_or_the_failure_is_told(
    fake_telegram: FakeTelegram, world: World, google: SiteServer
) -> None:
    async with world.sessions.begin() as session:
        await session.execute(
            update(Source)
            .where(Source.id == world.source_id)
            .values(kind="google_business", url=LOCATION)
        )
    _, published_case = await world.negative_review(url=LOCATION)
    _, refused_case = await world.negative_review("Второй отзыв", url=LOCATION)
    async with world.sessions.begin() as session:
        await session.execute(update(Mention).values(url=LOCATION))
    ok_path = "/v4/accounts/108/locations/451/reviews/r1/reply"
    google.add_handler(
        ok_path, answer(200, {"comment": "x", "updateTime": "2026-03-02T10:00:00Z"}), method="PUT"
    )
    google.add_handler(
        "/v4/accounts/108/locations/451/reviews/r2/reply",
        answer(403, {"error": {"code": 403, "message": "The caller does not have permission"}}),
        method="PUT",
    )

    async with aiohttp.ClientSession() as http:
        publisher = ReplyPublisher(
            http,
            ReplyCredentials(google_business_token="ya29.owner", google_business_api=google.origin),
        )
        dispatcher = build_dispatcher(
            sessionmaker=world.sessions, publisher=publisher, clock=world.clock
        )
        async with polling(fake_telegram, dispatcher):
            mark = fake_telegram.mark()
            fake_telegram.send_text(f"/reply {published_case} Спасибо, разберёмся", user_id=PR)
            done = await fake_telegram.wait_for("sendMessage", chat_id=PR, since=mark)
            mark = fake_telegram.mark()
            fake_telegram.send_text(f"/reply {refused_case} Извините нас", user_id=PR)
            failed = await fake_telegram.wait_for("sendMessage", chat_id=PR, since=mark)

    assert done.text == f"Ответ на кейс #{published_case} опубликован."
    (request,) = google.hits(ok_path)
    assert request.method == "PUT" and request.headers["Authorization"] == "Bearer ya29.owner"
    assert json.loads(request.body) == {"comment": "Спасибо, разберёмся"}
    case = await world.case(published_case)
    assert (case.status, case.reply_state, case.reply_text) == (
        "replied",
        "published",
        "Спасибо, разберёмся",
    )
    assert case.first_response_at is not None

    assert f"Не удалось опубликовать ответ на кейс #{refused_case}" in (failed.text or "")
    assert "permission" in (failed.text or "")
    case = await world.case(refused_case)
    assert (case.reply_state, case.reply_text, case.first_response_at) == (
        "failed",
        "Извините нас",
        None,
    )
