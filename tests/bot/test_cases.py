"""Alerts and the case life cycle, through the real bot talking HTTP to the fake server."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import LabelCorrection, Mention
from tests.bot.conftest import GROUP, OWNER, PR, STRANGER, VIEWER, RunningBot, World, drain
from tests.fakes.telegram_api import Call


async def test_alert_text_and_buttons(running_bot: RunningBot, world: World) -> None:
    fake = running_bot.fake
    _, case_id = await world.negative_review()
    await drain(running_bot.notifier, world)
    alert = await fake.wait_for("sendMessage", chat_id=GROUP)
    text = alert.text or ""
    assert "Негативный отзыв" in text and "Кофемания" in text
    assert "2ГИС" in text and "★☆☆☆☆" in text and "Иван" in text
    assert "Ждали заказ час" in text and f"Кейс #{case_id}" in text and "новый" in text
    assert "Темы: персонал 👎" in text and "негатив (0.93)" in text
    assert "ответить до 02.03.2026 13:30" in text  # an hour after 12:30 Moscow time
    labels = [b["text"] for b in alert.buttons]
    assert labels[:5] == ["✋ Взять", "✍️ Ответить", "📝 Черновик", "✅ Решено", "🚫 Игнор"]
    assert any(b.get("url", "").startswith("https://2gis.ru/") for b in alert.buttons)
    rows = await world.outbox("alert")
    assert {r.status for r in rows} == {"sent"} and all(r.sent_message_id for r in rows)


async def test_lifecycle_by_buttons(running_bot: RunningBot, world: World) -> None:
    fake = running_bot.fake
    _, case_id = await world.negative_review()
    await drain(running_bot.notifier, world)
    alert = await fake.wait_for("sendMessage", chat_id=GROUP)
    message_id = alert.result["message_id"]
    buttons = {b["text"]: b.get("callback_data") for b in alert.buttons}

    mark = fake.mark()
    fake.press_button(
        buttons["✋ Взять"], user_id=PR, chat_id=GROUP, message_id=message_id, first_name="Пётр"
    )
    await fake.wait_for("answerCallbackQuery", since=mark)
    await fake.wait_for_count("editMessageText", 2, since=mark)
    case = await world.case(case_id)
    assert case.status == "in_progress" and case.assignee_id == PR
    shown = fake.message(GROUP, message_id)
    assert "в работе" in shown["text"] and "Ответственный: Пётр" in shown["text"]
    assert "в работе" in fake.messages(OWNER)[0]["text"]  # every chat's alert is edited

    mark = fake.mark()
    fake.press_button(buttons["✍️ Ответить"], user_id=PR, chat_id=GROUP, message_id=message_id)
    prompt = await fake.wait_for("sendMessage", chat_id=GROUP, since=mark)
    assert f"#{case_id}" in (prompt.text or "")
    fake.send_text(
        "Простите нас, <мы> всё исправим & вернём деньги 🙏",
        user_id=PR,
        chat_id=GROUP,
        first_name="Пётр",
    )
    saved = await fake.wait_for("sendMessage", chat_id=GROUP, since=prompt.index + 1)
    assert "сохранён" in (saved.text or "")
    confirm = next(b["callback_data"] for b in saved.buttons if "callback_data" in b)
    case = await world.case(case_id)
    assert case.reply_text == "Простите нас, <мы> всё исправим & вернём деньги 🙏"
    assert case.reply_state == "local" and case.first_response_at is None

    mark = fake.mark()
    fake.press_button(
        confirm, user_id=PR, chat_id=GROUP, message_id=saved.result["message_id"], first_name="Пётр"
    )
    await fake.wait_for(
        "editMessageText",
        since=mark,
        chat_id=GROUP,
        predicate=lambda c: "вручную" in (c.text or ""),
    )
    case = await world.case(case_id)
    assert case.status == "replied" and case.first_response_at == world.clock()

    mark = fake.mark()
    fake.press_button(buttons["✅ Решено"], user_id=OWNER, chat_id=GROUP, message_id=message_id)
    await fake.wait_for(
        "editMessageText", since=mark, chat_id=GROUP, predicate=lambda c: "решён" in (c.text or "")
    )
    assert (await world.case(case_id)).status == "resolved"
    shown = fake.message(GROUP, message_id)
    assert "решён" in shown["text"]
    assert [b["text"] for row in shown["reply_markup"]["inline_keyboard"] for b in row][
        0
    ] == "↩️ Переоткрыть"
    assert await world.events(case_id) == ["opened", "take", "reply", "confirm_reply", "resolve"]


async def test_lifecycle_by_commands(running_bot: RunningBot, world: World) -> None:
    fake = running_bot.fake
    _, case_id = await world.negative_review()
    await drain(running_bot.notifier, world)

    async def say(text: str, user: int = PR) -> str:
        mark = fake.mark()
        fake.send_text(
            text, user_id=user, first_name={PR: "Пётр", OWNER: "Ольга"}.get(user, "Test")
        )
        return (await fake.wait_for("sendMessage", chat_id=user, since=mark)).text or ""

    assert f"#{case_id}" in await say("/cases")
    assert "Пётр" in await say(f"/take {case_id}")
    assert "Ольга" in await say(f"/assign {case_id} {OWNER}")
    assert (await world.case(case_id)).assignee_id == OWNER
    assert "сохранён" in await say(f"/reply {case_id} Спасибо за отзыв")
    assert "проигнорирован" in await say(f"/ignore {case_id} это конкурент")
    assert (await world.case(case_id)).ignore_reason == "это конкурент"
    assert "закрыт" in await say(f"/take {case_id}")
    assert "снова открыт" in await say(f"/reopen {case_id}")
    assert "решён" in await say(f"/resolve {case_id}")
    details = await say(f"/case {case_id}")
    assert "История" in details and "это конкурент" in details
    assert await world.events(case_id) == [
        "opened",
        "take",
        "assign",
        "reply",
        "ignore",
        "reopen",
        "resolve",
    ]
    assert "Открытых кейсов нет" in await say("/cases")
    assert "не найден" in await say("/case 999")


async def _alert_in_group(running_bot: RunningBot, world: World) -> tuple[int, Call, str]:
    """A new case whose alert reached the group: its id, the alert and its first button."""
    _, case_id = await world.negative_review()
    assert case_id is not None
    await drain(running_bot.notifier, world)
    alert = await running_bot.fake.wait_for("sendMessage", chat_id=GROUP)
    take = next(b["callback_data"] for b in alert.buttons if "callback_data" in b)
    return case_id, alert, take


async def test_stranger_is_refused_and_sees_nothing(running_bot: RunningBot, world: World) -> None:
    fake = running_bot.fake
    case_id, alert, take = await _alert_in_group(running_bot, world)
    mark = fake.mark()
    fake.send_text("/cases", user_id=STRANGER)
    refusal = await fake.wait_for("sendMessage", chat_id=STRANGER, since=mark)
    assert "приглашение" in (refusal.text or "") and f"#{case_id}" not in (refusal.text or "")
    fake.press_button(take, user_id=STRANGER, chat_id=GROUP, message_id=alert.result["message_id"])
    answer = await fake.wait_for("answerCallbackQuery", since=mark)
    assert answer.fields.get("show_alert") == "true"
    await fake.wait_idle()
    assert (await world.case(case_id)).status == "new"
    assert len(fake.calls_of("sendMessage", since=mark)) == 1
    assert not fake.calls_of("editMessageText", since=mark)


async def test_viewer_can_look_but_not_act(running_bot: RunningBot, world: World) -> None:
    fake = running_bot.fake
    case_id, alert, take = await _alert_in_group(running_bot, world)
    world.clock.advance(hours=2)
    mark = fake.mark()
    fake.send_text("/cases", user_id=VIEWER)
    listing = await fake.wait_for("sendMessage", chat_id=VIEWER, since=mark)
    assert f"#{case_id}" in (listing.text or "")
    assert "просрочен с 02.03.2026 13:30" in (listing.text or "")
    mark = fake.mark()
    fake.send_text(f"/resolve {case_id}", user_id=VIEWER)
    refusal = await fake.wait_for("sendMessage", chat_id=VIEWER, since=mark)
    assert "наблюдатель" in (refusal.text or "")
    fake.press_button(take, user_id=VIEWER, chat_id=GROUP, message_id=alert.result["message_id"])
    answer = await fake.wait_for("answerCallbackQuery", since=mark)
    assert "наблюдатель" in answer.fields["text"]
    assert (await world.case(case_id)).status == "new"


async def test_label_correction_from_alert(running_bot: RunningBot, world: World) -> None:
    fake = running_bot.fake
    mention_id, _ = await world.negative_review()
    await drain(running_bot.notifier, world)
    alert = await fake.wait_for("sendMessage", chat_id=GROUP)
    menu = next(
        b["callback_data"] for b in alert.buttons if b.get("callback_data", "").startswith("l:")
    )
    mark = fake.mark()
    fake.press_button(menu, user_id=PR, chat_id=GROUP, message_id=alert.result["message_id"])
    choices = await fake.wait_for("sendMessage", chat_id=GROUP, since=mark)
    neutral = next(
        b["callback_data"] for b in choices.buttons if b["callback_data"].endswith("neutral")
    )
    fake.press_button(neutral, user_id=PR, chat_id=GROUP, message_id=choices.result["message_id"])
    await fake.wait_for(
        "answerCallbackQuery", since=choices.index, predicate=lambda c: "text" in c.fields
    )
    async with world.sessions() as session:
        assert (await session.get_one(Mention, mention_id)).sentiment_label == "neutral"
        correction = await session.scalar(select(LabelCorrection))
        assert correction is not None and (correction.old_label, correction.new_label) == (
            "negative",
            "neutral",
        )
    # The alert already in the chat now shows the corrected label.
    edited = await fake.wait_for(
        "editMessageText", chat_id=GROUP, message_id=str(alert.result["message_id"]), since=mark
    )
    assert "нейтрально" in (edited.text or "")
