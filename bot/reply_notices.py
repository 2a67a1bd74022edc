"""Delivering the outbox's reply notices, rendered from the facts queued with them: a reply
waiting for an owner's approval, a reply sent back to its author, a thank-you for praise."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import DeliveryError, DeliverySkipped
from bot.render import esc
from bot.replies_view import approval_message, thanks_message
from bot.texts import t
from common.vocabulary import OutboxKind, PraiseState, ReplyState
from scrapers.publish import reply_link
from storage.records import OutboxRecord
from storage.repositories import cases as cases_repo
from storage.repositories import chats
from storage.repositories import mentions as mentions_repo
from storage.repositories import praise as praise_repo

REPLY_NOTICES = (OutboxKind.APPROVAL, OutboxKind.REPLY_REJECTED, OutboxKind.THANKS)
Rendered = tuple[str, InlineKeyboardMarkup | None]


async def send_reply_notice(
    bot: Bot, sessions: async_sessionmaker[AsyncSession], message: OutboxRecord
) -> int:
    async with sessions() as session:
        lang = await chats.language(session, message.chat_id)
        if message.kind == OutboxKind.APPROVAL:
            text, keyboard = await _approval(session, message, lang)
        elif message.kind == OutboxKind.THANKS:
            text, keyboard = await _thanks(session, message, lang)
        else:
            by = esc(str(message.payload.get("by") or ""))
            text, keyboard = t(lang, "reply_rejected", id=message.case_id, name=by), None
    # Only the send is outside the session: a notice never holds the database while Telegram answers.
    sent = await bot.send_message(
        message.chat_id, text, reply_markup=keyboard, disable_web_page_preview=True
    )
    return sent.message_id


async def _approval(session: AsyncSession, message: OutboxRecord, lang: str) -> Rendered:
    case = await cases_repo.get_case(session, message.case_id or 0)
    found = await mentions_repo.get_mentions(session, [message.mention_id or 0])
    if case is None or not found:
        raise DeliveryError(f"approval {message.dedup_key}: the case is gone")
    if case.reply_state != ReplyState.PENDING:
        raise DeliverySkipped(f"case {case.id}: the reply no longer waits for approval")
    return approval_message(lang, case, found[0])


async def _thanks(session: AsyncSession, message: OutboxRecord, lang: str) -> Rendered:
    praise = await praise_repo.get(session, int(message.payload.get("praise_id") or 0))
    found = await mentions_repo.get_mentions(session, [message.mention_id or 0])
    if praise is None or not found:
        raise DeliveryError(f"thanks {message.dedup_key}: the review is gone")
    if praise.state in (PraiseState.POSTED, PraiseState.SKIPPED):
        raise DeliverySkipped(f"thanks {praise.id}: already {praise.state}")
    mention = found[0]
    where = reply_link(mention.source_kind, mention.url or "", mention.external_id)
    return thanks_message(lang, praise.id, praise.state, mention, praise.text, where or mention.url)
