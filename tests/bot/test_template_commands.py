"""/templates and /template: owners change the brand's draft templates from the chat."""

from __future__ import annotations

import html

from tests.bot.conftest import OWNER, PR, RunningBot, World, drain


async def ask(running_bot: RunningBot, text: str, user_id: int) -> str:
    fake = running_bot.fake
    mark = fake.mark()
    fake.send_text(text, user_id=user_id)
    return (await fake.wait_for("sendMessage", chat_id=user_id, since=mark)).text or ""


async def test_owner_edits_a_template_and_drafts_use_it(
    running_bot: RunningBot, world: World
) -> None:
    listing = await ask(running_bot, "/templates", PR)
    assert "Шаблоны ответов «Кофемания»" in listing and "<code>opening.negative</code>" in listing
    assert "✏️" not in listing.split("\n", 2)[-1]

    refused = await ask(running_bot, "/template ru opening.negative Простите.", PR)
    assert refused == "Это может сделать только владелец бренда."
    bad = await ask(running_bot, "/template ru opening.negative {name}, простите", OWNER)
    assert bad.startswith("Шаблон не сохранён: opening.negative: unknown placeholder {name}")
    saved = await ask(
        running_bot,
        "/template ru opening.negative Нам очень стыдно. || Простите нас, {brand}.",
        OWNER,
    )
    assert (
        saved == "Шаблон <code>opening.negative</code> (ru) для «Кофемания» сохранён: вариантов 2."
    )
    listing = await ask(running_bot, "/templates Кофемания ru", OWNER)
    assert "✏️ <code>opening.negative</code>: Нам очень стыдно. (+1)" in listing

    _, case_id = await world.negative_review()
    fake = running_bot.fake
    mark = fake.mark()
    await drain(running_bot.notifier, world)
    alert = await fake.wait_for("sendMessage", chat_id=OWNER, since=mark)
    draft_button = next(b["callback_data"] for b in alert.buttons if b["text"] == "📝 Черновик")
    mark = fake.mark()
    fake.press_button(
        draft_button, user_id=OWNER, chat_id=OWNER, message_id=alert.result["message_id"]
    )
    draft = await fake.wait_for("sendMessage", chat_id=OWNER, since=mark)
    text = html.unescape(draft.text or "")
    assert "Нам очень стыдно." in text or "Простите нас, Кофемания." in text

    reset = await ask(running_bot, "/template ru opening.negative reset", OWNER)
    assert (
        reset == "Шаблон <code>opening.negative</code> (ru) для «Кофемания» возвращён к исходному."
    )
    usage = await ask(running_bot, "/template opening.negative", OWNER)
    assert usage.startswith("Формат: /template [бренд] ru|en КЛЮЧ")
    assert case_id
