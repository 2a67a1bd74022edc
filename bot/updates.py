"""Messages about reviews already alerted on: an edit, a reply seen on the platform, a removal
(the alert is edited in place), a raised rating (also told). The outbox carries the facts; the
texts are made here."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.alerts import load_alert
from bot.errors import DeliveryError
from bot.render import esc, link, source_name
from bot.texts import t
from common.vocabulary import ReviewChange
from storage.records import OutboxRecord
from storage.repositories import cases as cases_repo
from storage.repositories import chats

log = logging.getLogger(__name__)


async def send_review_update(
    bot: Bot, sessions: async_sessionmaker[AsyncSession], message: OutboxRecord, now: datetime
) -> int | None:
    """Edit this chat's alerts of the review to its current state; a raised rating is also
    told in a message of its own (returned), everything else is silent."""
    async with sessions() as session:
        view = await load_alert(session, mention_id=message.mention_id or 0)
        lang = await chats.language(session, message.chat_id)
        sent = [
            m
            for m in await cases_repo.alert_messages(session, mention_id=message.mention_id)
            if m.chat_id == message.chat_id
        ]
    if view is None:
        raise DeliveryError(f"{message.dedup_key}: mention {message.mention_id} is gone")
    for alert in sent:
        try:
            await view.edit(bot, alert, lang, now)
        except TelegramBadRequest as exc:  # not modified, too old to edit: the news still goes
            log.info("alert %s/%s not edited: %s", alert.chat_id, alert.message_id, exc)
    if message.payload.get("change") != ReviewChange.RATING_RAISED:
        return None
    facts = message.payload
    lines = [
        t(
            lang,
            "rating_raised",
            old=f"{float(facts.get('old_rating') or 0):g}",
            new=f"{float(facts.get('new_rating') or 0):g}",
            after=t(lang, "after_your_reply") if facts.get("after_reply") else "",
            brand=esc(view.mention.brand_name),
        )
    ]
    where = link(view.mention.url, source_name(view.mention.source_kind))
    author = esc(view.mention.author or t(lang, "anonymous"))
    lines.append(f"{where} · {author}")
    if view.case is not None:
        lines.append(t(lang, "update_case", id=view.case.id))
    answer = await bot.send_message(
        message.chat_id, "\n".join(lines), disable_web_page_preview=True
    )
    return answer.message_id
