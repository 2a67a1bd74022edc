"""Revoked access is really revoked, a group's settings belong to its brands' owners, and
every button press is answered, through the running bot on the fake Bot API."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import AuditEvent, Brand, BrandChat, Chat, Member
from storage.records import BrandInput
from storage.repositories import chats
from storage.repositories.brands import sync_brands
from tests.bot.conftest import GROUP, OWNER, PR, START, STRANGER, VIEWER, RunningBot, World

OTHER_OWNER = 2001
OTHER_PR = 2002


async def _say(bot: RunningBot, text: str, user: int, chat: int | None = None) -> str:
    mark = bot.fake.mark()
    bot.fake.send_text(text, user_id=user, chat_id=chat or user)
    return (await bot.fake.wait_for("sendMessage", chat_id=chat or user, since=mark)).text or ""


def _brand(owners: tuple[int, ...]) -> BrandInput:
    return BrandInput(
        name="Кофемания",
        aliases=("Кофемания",),
        owners=owners,
        alert_on="negative",
        timezone="Europe/Moscow",
        response_minutes=60,
        work_start="09:00",
        work_end="21:00",
        work_days="1234567",
        touchpoints={},
        sources=(),
    )


async def test_config_sync_removes_owners_and_chats_the_file_no_longer_lists(
    db_url: str,
) -> None:
    engine = make_engine(db_url)
    await upgrade(engine)
    sessions: async_sessionmaker[AsyncSession] = make_sessionmaker(engine)
    try:
        async with sessions.begin() as session:
            [brand_id] = (await sync_brands(session, [_brand((111, 222, -100))], START)).values()
            # A group subscribed from the chat is the team's choice, not the file's.
            await chats.subscribe(session, brand_id=brand_id, chat_id=-200, title="PR", now=START)
        async with sessions.begin() as session:
            await sync_brands(session, [_brand((111,))], START)
        async with sessions() as session:
            members = (await session.execute(select(Member.user_id, Member.role))).all()
            linked = set(await session.scalars(select(BrandChat.chat_id)))
            audit = (
                await session.execute(
                    select(AuditEvent.action, AuditEvent.subject_id, AuditEvent.actor_id).order_by(
                        AuditEvent.id
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    assert [tuple(m) for m in members] == [(111, "owner")]
    assert linked == {111, -200}
    assert [tuple(a) for a in audit] == [
        ("member_removed", 222, None),
        ("chat_unsubscribed", 222, None),
        ("chat_unsubscribed", -100, None),
    ]


async def test_owner_removes_members_who_then_are_strangers(
    running_bot: RunningBot, world: World
) -> None:
    fake = running_bot.fake
    mark = fake.mark()
    fake.send_text("/members", user_id=OWNER)
    listing = await fake.wait_for("sendMessage", chat_id=OWNER, since=mark)
    buttons = {b["text"]: b["callback_data"] for b in listing.buttons}
    assert set(buttons) == {"❌ Пётр", "❌ Вера"}  # owners are removed in the brands file

    # A pr member cannot remove anyone, by command or by replaying the owner's button.
    assert "только владелец" in await _say(running_bot, f"/remove_member {VIEWER}", PR)
    mark = fake.mark()
    fake.press_button(buttons["❌ Вера"], user_id=PR, chat_id=PR, message_id=1)
    refused = await fake.wait_for("answerCallbackQuery", since=mark)
    assert "владелец" in str(refused.fields.get("text"))

    mark = fake.mark()
    fake.press_button(buttons["❌ Пётр"], user_id=OWNER, chat_id=OWNER, message_id=1)
    answer = await fake.wait_for("answerCallbackQuery", since=mark)
    assert "больше не в команде «Кофемания»" in str(answer.fields.get("text"))
    assert "Попросите владельца" in await _say(running_bot, "/cases", PR)

    assert "файл настроек" in await _say(running_bot, f"/remove_member {OWNER}", OWNER)
    assert "больше не в команде" in await _say(running_bot, f"/remove_member {VIEWER}", OWNER)
    assert "Такого участника нет" in await _say(running_bot, f"/remove_member {VIEWER}", OWNER)
    assert "Попросите владельца" in await _say(running_bot, "/sources", VIEWER)

    async with world.sessions() as session:
        left = set(await session.scalars(select(Member.user_id)))
        audit = (
            await session.execute(
                select(AuditEvent.action, AuditEvent.subject_id, AuditEvent.actor_id)
            )
        ).all()
    assert left == {OWNER}
    assert {tuple(a) for a in audit} == {
        ("member_removed", PR, OWNER),
        ("member_removed", VIEWER, OWNER),
    }


async def test_group_settings_only_by_owners_of_a_brand_linked_to_it(
    running_bot: RunningBot, world: World
) -> None:
    async with world.sessions.begin() as session:
        other = Brand(name="Булочная", aliases=["Булочная"], created_at=world.clock())
        session.add(other)
        await session.flush()
        for user_id, role in ((OTHER_OWNER, "owner"), (OTHER_PR, "pr")):
            session.add(
                Member(brand_id=other.id, user_id=user_id, role=role, created_at=world.clock())
            )

    # Owner of another brand and pr of another brand: refused in this brand's group.
    refused = await _say(running_bot, "/digest_at off", OTHER_OWNER, GROUP)
    assert "владелец" in refused
    assert "владелец бренда, подключённого" in await _say(running_bot, "/lang en", OTHER_PR, GROUP)
    # Not even the linked brand's pr changes the group.
    assert "владелец бренда, подключённого" in await _say(running_bot, "/lang en", PR, GROUP)
    async with world.sessions() as session:
        chat = await session.get_one(Chat, GROUP)
        assert chat.digest_enabled and chat.language == "ru"

    # The linked brand's owner does; anyone sets their own private chat.
    assert "English" in await _say(running_bot, "/lang en", OWNER, GROUP)
    assert "English" in await _say(running_bot, "/lang en", OTHER_PR)
    async with world.sessions() as session:
        assert (await session.get_one(Chat, GROUP)).language == "en"


async def test_every_button_is_answered_even_unreadable_ones(
    running_bot: RunningBot, world: World
) -> None:
    fake = running_bot.fake
    for data in ("garbage", "c:take:not-a-number:", "m:1", "l:x:y:z"):
        mark = fake.mark()
        fake.press_button(data, user_id=PR, chat_id=GROUP, message_id=1)
        answer = await fake.wait_for("answerCallbackQuery", since=mark)
        assert answer.fields.get("text") == "Эта кнопка больше не действует."


async def test_brand_names_match_despite_invisible_characters(
    running_bot: RunningBot, world: World
) -> None:
    for spelled in ("Кофе\u00adмания", "кофе\u200bмания", "КОФЕМАНИЯ"):
        assert "паузе" in await _say(running_bot, f"/pause 1h {spelled}", OWNER)


async def test_internal_addresses_are_refused_when_a_source_is_added(
    running_bot: RunningBot, world: World
) -> None:
    for url in (
        "http://127.0.0.1:8080/feed.xml",
        "http://0x7f000001/feed.xml",
        "http://2130706433/feed.xml",
        "http://[::1]/feed.xml",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/rss",
    ):
        assert "не разрешён" in await _say(running_bot, f"/add_source {url}", OWNER), url
    assert "http(s)" in await _say(running_bot, "/add_source http://user:pw@example.com/", OWNER)


async def test_a_stranger_gets_one_refusal_a_day(running_bot: RunningBot, world: World) -> None:
    fake = running_bot.fake
    assert "Попросите владельца" in await _say(running_bot, "/cases", STRANGER)
    mark = fake.mark()
    for text in ("/cases", "привет", "/sources", "/digest"):
        fake.send_text(text, user_id=STRANGER)
    await fake.wait_idle()
    assert fake.calls_of("sendMessage", since=mark) == []
    world.clock.advance(days=1)
    assert "Попросите владельца" in await _say(running_bot, "/cases", STRANGER)
