"""/backlog and coverage in /sources, through the running bot."""

from __future__ import annotations

from sqlalchemy import select, update

from storage.models import Case, CaseEvent, Mention, Source
from tests.bot.conftest import OWNER, VIEWER, RunningBot, World


async def _history(world: World, text: str, *, reply: str | None = None) -> int:
    """A negative review the source's first poll stored (history: no case, no alert)."""
    mention_id, _ = await world.negative_review(text, with_case=False)
    async with world.sessions.begin() as session:
        await session.execute(
            update(Mention)
            .where(Mention.id == mention_id)
            .values(backfill=True, business_reply=reply)
        )
    return mention_id


async def test_backlog_lists_unanswered_history_and_opens_cases(
    running_bot: RunningBot, world: World
) -> None:
    fake = running_bot.fake
    waiting = await _history(world, "Грязные столы и холодный кофе")
    await _history(world, "Долго ждали", reply="Простите, уже исправили")  # answered on the site
    await world.negative_review("Уже кейс")  # has its case: not backlog

    mark = fake.mark()
    fake.send_text("/backlog", user_id=OWNER)
    listing = await fake.wait_for("sendMessage", chat_id=OWNER, since=mark)
    assert "Негатив без ответа</b> (найден при подключении): 1" in (listing.text or "")
    assert "Грязные столы" in (listing.text or "") and "Долго ждали" not in (listing.text or "")
    button = listing.buttons[0]
    assert button["text"] == "📂 Открыть кейс: 1"

    mark = fake.mark()
    fake.press_button(
        button["callback_data"],
        user_id=VIEWER,
        chat_id=OWNER,
        message_id=listing.result["message_id"],
    )
    refused = await fake.wait_for("answerCallbackQuery", since=mark)
    assert "наблюдатель" in (refused.fields.get("text") or "")

    mark = fake.mark()
    fake.press_button(
        button["callback_data"],
        user_id=OWNER,
        chat_id=OWNER,
        message_id=listing.result["message_id"],
    )
    card = await fake.wait_for("sendMessage", chat_id=OWNER, since=mark)
    async with world.sessions() as session:
        case = await session.scalar(select(Case).where(Case.mention_id == waiting))
        assert case is not None and case.status == "new" and case.due_at is not None
        detail = await session.scalar(select(CaseEvent.detail).where(CaseEvent.case_id == case.id))
    assert detail == "backlog"
    assert f"Кейс #{case.id}" in (card.text or "") and "Грязные столы" in (card.text or "")

    mark = fake.mark()
    fake.send_text("/backlog", user_id=OWNER)
    empty = await fake.wait_for("sendMessage", chat_id=OWNER, since=mark)
    assert "Негатива без ответа из истории нет" in (empty.text or "")


async def test_sources_show_the_site_count_beside_the_held_one(
    running_bot: RunningBot, world: World
) -> None:
    fake = running_bot.fake
    await world.negative_review()
    await world.negative_review("Второй")
    async with world.sessions.begin() as session:
        await session.execute(update(Source).values(site_total=312, coverage_note="not_listed"))
    mark = fake.mark()
    fake.send_text("/sources", user_id=OWNER)
    listing = await fake.wait_for("sendMessage", chat_id=OWNER, since=mark)
    assert "на сайте: 312, у нас: 2" in (listing.text or "")
    assert "сайт считает отзывы, которых не показывает" in (listing.text or "")
    mark = fake.mark()
    fake.send_text("/lang en", user_id=OWNER)
    await fake.wait_for("sendMessage", chat_id=OWNER, since=mark)
    mark = fake.mark()
    fake.send_text("/sources", user_id=OWNER)
    english = await fake.wait_for("sendMessage", chat_id=OWNER, since=mark)
    assert "site: 312, held: 2" in (english.text or "")
