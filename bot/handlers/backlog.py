"""/backlog: the unanswered negative reviews a source's first poll found, with a button each
that opens a case (history is never alerted on, so these wait for a person to pick them)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import BacklogCase
from bot.handlers.common import Refusal
from bot.handlers.views import case_details
from bot.middlewares import Access
from bot.render import fit_escaped, link, local_time, source_name, stars
from bot.texts import t
from common.clock import Clock
from common.worktime import response_due
from storage.repositories import backlog as backlog_repo
from storage.repositories import mentions as mentions_repo

SHOWN = 10
QUOTE = 200


async def cmd_backlog(message: Message, session: AsyncSession, access: Access, lang: str) -> None:
    found = await backlog_repo.backlog(session, access.brand_ids, limit=SHOWN)
    if not found.mentions:
        await message.answer(t(lang, "backlog_empty"))
        return
    lines = [t(lang, "backlog_title", count=found.total)]
    buttons: list[list[InlineKeyboardButton]] = []
    for number, mention in enumerate(found.mentions, start=1):
        quote, _ = fit_escaped(mention.text or mention.title or "—", QUOTE)
        lines.append(
            t(
                lang,
                "backlog_line",
                n=number,
                source=link(mention.url, source_name(mention.source_kind)),
                stars=stars(mention.rating) or "—",
                when=local_time(mention.published_at or mention.first_seen_at, "UTC")[:10],
                text=quote,
            )
        )
        buttons.append(
            [
                InlineKeyboardButton(
                    text=t(lang, "btn_open_case", n=number),
                    callback_data=BacklogCase(mention_id=mention.id).pack(),
                )
            ]
        )
    await message.answer(
        "\n\n".join(lines),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=buttons),
        disable_web_page_preview=True,
    )


async def on_open_case(
    query: CallbackQuery,
    callback_data: BacklogCase,
    session: AsyncSession,
    access: Access,
    lang: str,
    clock: Clock,
) -> None:
    found = await mentions_repo.get_mentions(session, [callback_data.mention_id])
    if not found or found[0].brand_id not in access.brand_ids:
        await query.answer(t(lang, "refuse_short"), show_alert=True)
        return
    if not access.can_act(found[0].brand_id):
        await query.answer(t(lang, "viewer_cannot_act"), show_alert=True)
        return
    now = clock()
    case_id = await backlog_repo.open_backlog_case(
        session,
        callback_data.mention_id,
        now=now,
        deadline=response_due,
        actor_id=access.user_id,
        actor_name=access.name,
    )
    if case_id is None:
        await query.answer(t(lang, "backlog_has_case"), show_alert=True)
        return
    await session.commit()
    await query.answer(t(lang, "backlog_opened", id=case_id))
    try:
        text, keyboard = await case_details(session, access, lang, case_id, now=now)
    except Refusal as refusal:
        text, keyboard = refusal.text, None
    if query.message is not None:
        await query.message.answer(text, reply_markup=keyboard, disable_web_page_preview=True)


def create_router() -> Router:
    router = Router(name="backlog")
    router.message.register(cmd_backlog, Command("backlog"))
    router.callback_query.register(on_open_case, BacklogCase.filter())
    return router
