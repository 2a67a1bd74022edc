"""Invites, sources from the chat, /stats and language, through the running bot."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from storage.models import Brand, Member, Source
from tests.bot.conftest import OWNER, PR, STRANGER, RunningBot, World, drain
from tests.reports.html_check import visible_text


async def _say(bot: RunningBot, text: str, user: int) -> str:
    mark = bot.fake.mark()
    bot.fake.send_text(text, user_id=user, first_name="Ольга" if user == OWNER else "Гость")
    return (await bot.fake.wait_for("sendMessage", chat_id=user, since=mark)).text or ""


async def test_invite_is_single_use_and_expires(running_bot: RunningBot, world: World) -> None:
    answer = await _say(running_bot, "/invite pr", OWNER)
    assert "https://t.me/otklik_test_bot?start=" in answer
    code = answer.split("start=")[1].split()[0]
    assert "в команде" in await _say(running_bot, f"/start {code}", STRANGER)
    assert "уже использовано" in await _say(running_bot, f"/start {code}", STRANGER + 1)
    async with world.sessions() as session:
        roles = {m.user_id: m.role for m in await session.scalars(select(Member))}
    assert roles[STRANGER] == "pr" and STRANGER + 1 not in roles
    assert "Открытых кейсов нет" in await _say(running_bot, "/cases", STRANGER)

    second = (
        (await _say(running_bot, "/invite viewer Кофемания", OWNER)).split("start=")[1].split()[0]
    )
    world.clock.advance(days=8)
    assert "истёк" in await _say(running_bot, f"/start {second}", STRANGER + 2)
    assert "Попросите владельца" in await _say(running_bot, "/cases", STRANGER + 2)
    assert "только владелец" in await _say(running_bot, "/invite pr", PR)


async def test_sources_from_chat(running_bot: RunningBot, world: World) -> None:
    async with world.sessions() as session:
        await session.execute(update(Brand).values(timezone="Asia/Yekaterinburg"))
        await session.execute(
            update(Source).values(last_success_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
        )
        await session.commit()
    listing = await _say(running_bot, "/sources", OWNER)
    assert "twogis" in listing and "2gis.ru/moscow/firm/70000001" in listing
    # the brand's own clock (UTC+5), not Moscow's
    assert "последний успех: 02.03.2026 15:00" in listing
    assert "http(s)" in await _say(running_bot, "ftp://example.com/feed", OWNER)
    assert "не умею" in await _say(running_bot, "/add_source https://unknown.example/", OWNER)
    added = await _say(running_bot, "https://apps.apple.com/ru/app/id1234567890", OWNER)
    assert "добавлен" in added
    async with world.sessions() as session:
        source = await session.scalar(select(Source).where(Source.origin == "chat"))
    assert source is not None and source.kind == "appstore" and source.enabled
    assert "уже есть" in await _say(running_bot, f"/add_source {source.url}", OWNER)
    assert "только владелец" in await _say(running_bot, f"/remove_source {source.id}", PR)
    assert "отключён" in await _say(running_bot, f"/remove_source {source.id}", OWNER)
    async with world.sessions() as session:
        assert not (await session.get_one(Source, source.id)).enabled
    assert "паузе" in await _say(running_bot, "/pause 2h", OWNER)
    assert "Тихие часы" in await _say(running_bot, "/quiet 23:00-08:00", OWNER)
    brands = await _say(running_bot, "/brands", OWNER)
    assert "⏸" in brands and "23:00–08:00" in brands
    assert "Формат" in await _say(running_bot, "/quiet 25:00-08:00", OWNER)


async def test_a_source_that_cannot_work_from_a_link_alone_is_refused_at_once(
    running_bot: RunningBot, world: World
) -> None:
    # (A 2GIS link alone works: its key is read from the page. Google's Places API needs one.)
    answer = await _say(
        running_bot, "/add_source https://www.google.com/maps/place/Kofemania", OWNER
    )
    assert "не добавлен" in answer and "option api_key is missing" in answer
    private = await _say(running_bot, "https://t.me/joinchat/AbCdEf", OWNER)
    assert "не добавлен" in private and "no public channel name" in private
    async with world.sessions() as session:
        assert (await session.scalars(select(Source).where(Source.origin == "chat"))).all() == []


async def test_stats_and_language(running_bot: RunningBot, world: World) -> None:
    _, answered = await world.negative_review()
    await world.negative_review("Второй")
    await drain(running_bot.notifier, world)
    world.clock.advance(minutes=20)
    await _say(running_bot, f"/reply {answered} Спасибо", PR)
    running_bot.fake.press_button(f"c:confirm:{answered}:", user_id=PR, chat_id=PR, message_id=1)
    await running_bot.fake.wait_for("answerCallbackQuery")
    assert (await world.case(answered)).first_response_at == world.clock()
    stats = await _say(running_bot, "/stats 7", OWNER)
    assert "кейсов 2, отвечено 1 (50%)" in stats and "20 мин" in stats
    assert "English" in await _say(running_bot, "/lang en", OWNER)
    stats = await _say(running_bot, "/stats", OWNER)
    assert "2 cases, 1 answered (50%)" in stats


async def test_stats_and_the_digest_give_one_response_rate(
    running_bot: RunningBot, world: World
) -> None:
    """One case answered in 1 h 5 min, one ignored as spam: both say 1 of 1 answered, 100%."""
    _, answered = await world.negative_review()
    _, ignored = await world.negative_review("Реклама: купите наши курсы")
    await drain(running_bot.notifier, world)
    world.clock.advance(minutes=65)
    await _say(running_bot, f"/reply {answered} Спасибо", PR)
    running_bot.fake.press_button(f"c:confirm:{answered}:", user_id=PR, chat_id=PR, message_id=1)
    await running_bot.fake.wait_for("answerCallbackQuery")
    await _say(running_bot, f"/ignore {ignored} спам", PR)

    stats = await _say(running_bot, "/stats 7", OWNER)
    assert "отвечено 1 (100%)" in stats and "1 ч 5 мин" in stats

    fake = running_bot.fake
    mark = fake.mark()
    fake.send_text("/digest 7d", user_id=OWNER, first_name="Ольга")
    photo = await fake.wait_for("sendPhoto", chat_id=OWNER, since=mark)
    digest = photo.text or ""
    if "Ответили" not in digest:
        digest = (await fake.wait_for("sendMessage", chat_id=OWNER, since=mark)).text or ""
    digest = visible_text(digest)
    assert "Ответили на 1 из 1 обращений (100%)" in digest
    assert "Медиана до первого ответа: 1 ч 5 мин" in digest


async def test_sources_warn_when_a_site_is_asked_for_more_than_its_budget(
    running_bot: RunningBot, world: World
) -> None:
    assert "⚠️" not in await _say(running_bot, "/sources", OWNER)
    async with world.sessions() as session:
        first = await session.scalar(select(Source))
        assert first is not None
        for n in range(3):  # four 2GIS sources every second against 1 request a second
            session.add(
                Source(
                    brand_id=first.brand_id,
                    kind="twogis",
                    url=f"https://2gis.ru/moscow/firm/7000000{n + 2}",
                    created_at=datetime(2026, 3, 1, tzinfo=UTC),
                )
            )
        await session.execute(update(Source).values(interval_seconds=1))
        await session.commit()
    listing = await _say(running_bot, "/sources", OWNER)
    # Counted on the host the polls request: 2GIS pages are read through its reviews API.
    assert "⚠️ <b>public-api.reviews.2gis.com</b>: 4 источн. просят 4.0 опросов/с" in listing
    assert "раз в 4 с вместо 1 с" in listing
    assert (
        """<code>OTKLIK_HTTP_HOST_RATES='{"public-api.reviews.2gis.com": 4.0}'</code>""" in listing
    )
