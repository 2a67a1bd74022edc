"""The access middleware's upkeep: a member's name is kept fresh, a group they write in is
remembered (and unblocked), a stranger leaves no trace."""

from __future__ import annotations

from sqlalchemy import select, update

from storage.models import Chat, Member
from tests.bot.conftest import GROUP, PR, STRANGER, RunningBot, World

NEW_GROUP = -100900
STRANGERS_GROUP = -100901


async def test_members_name_and_groups_are_kept_fresh(
    running_bot: RunningBot, world: World
) -> None:
    fake = running_bot.fake
    async with world.sessions.begin() as session:
        await session.execute(update(Chat).where(Chat.id == GROUP).values(blocked_at=world.clock()))

    for chat_id in (GROUP, NEW_GROUP):
        mark = fake.mark()
        fake.send_text(
            "/cases", user_id=PR, chat_id=chat_id, first_name="Пётр", username="petr_pr",
            chat_title="Отзывы",
        )  # fmt: skip
        await fake.wait_for("sendMessage", chat_id=chat_id, since=mark)
    mark = fake.mark()
    fake.send_text("/cases", user_id=STRANGER, chat_id=STRANGERS_GROUP)
    await fake.wait_for("sendMessage", chat_id=STRANGERS_GROUP, since=mark)

    async with world.sessions() as session:
        name = await session.scalar(select(Member.name).where(Member.user_id == PR))
        assert name == "Пётр (@petr_pr)"
        assert (await session.get_one(Chat, GROUP)).blocked_at is None
        assert (await session.get_one(Chat, NEW_GROUP)).title == "Отзывы"
        assert await session.get(Chat, STRANGERS_GROUP) is None
