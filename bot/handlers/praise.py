"""Buttons under a thank-you suggestion: the member posted it by hand, or it needs no reply."""

from __future__ import annotations

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import ThanksAction
from bot.middlewares import Access
from bot.texts import t
from common.clock import Clock
from common.vocabulary import PraiseState
from storage.repositories import praise as praise_repo

_STATES = {"posted": PraiseState.POSTED, "skip": PraiseState.SKIPPED}


async def on_thanks(
    query: CallbackQuery,
    callback_data: ThanksAction,
    session: AsyncSession,
    access: Access,
    lang: str,
    clock: Clock,
) -> None:
    praise = await praise_repo.get(session, callback_data.praise_id)
    if praise is None or access.role(praise.brand_id) is None:
        await query.answer(t(lang, "refuse_short"), show_alert=True)
        return
    if not access.can_act(praise.brand_id):
        await query.answer(t(lang, "viewer_cannot_act"), show_alert=True)
        return
    state = _STATES.get(callback_data.action)
    if state is None:
        await query.answer()
        return
    await praise_repo.set_state(session, praise.id, state, user_id=access.user_id, now=clock())
    await session.commit()
    note = t(lang, f"thanks_{state}")
    await query.answer(note)
    message = query.message
    if isinstance(message, Message) and message.html_text:
        try:
            await message.edit_text(
                f"{message.html_text}\n\n{note}", reply_markup=None, disable_web_page_preview=True
            )
        except TelegramAPIError:
            pass  # too old to edit: the choice is saved


def create_router() -> Router:
    """A fresh router (a router joins one dispatcher only; tests build several)."""
    router = Router(name="praise")
    router.callback_query.register(on_thanks, ThanksAction.filter())
    return router
