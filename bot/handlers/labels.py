"""Sentiment label corrections from the alert: training data for the next model."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.alerts import refresh_alerts
from bot.callbacks import LabelFix
from bot.middlewares import Access
from bot.texts import t
from common.clock import Clock
from common.vocabulary import Label
from storage.repositories import corrections
from storage.repositories import mentions as mentions_repo

LABELS = (Label.NEGATIVE, Label.NEUTRAL, Label.POSITIVE)  # the order of the buttons


async def on_label(
    query: CallbackQuery,
    callback_data: LabelFix,
    bot: Bot,
    session: AsyncSession,
    access: Access,
    lang: str,
    clock: Clock,
) -> None:
    found = await mentions_repo.get_mentions(session, [callback_data.mention_id])
    if not found or access.role(found[0].brand_id) is None:
        await query.answer(t(lang, "refuse_short"), show_alert=True)
        return
    mention = found[0]
    if not access.can_act(mention.brand_id):
        await query.answer(t(lang, "viewer_cannot_act"), show_alert=True)
        return
    if callback_data.label not in LABELS:
        await query.answer()
        if isinstance(query.message, Message):
            buttons = [
                InlineKeyboardButton(
                    text=t(lang, f"label_{label}"),
                    callback_data=LabelFix(mention_id=mention.id, label=label).pack(),
                )
                for label in LABELS
            ]
            await query.message.answer(
                t(lang, "choose_label"),
                reply_markup=InlineKeyboardMarkup(inline_keyboard=[buttons]),
            )
        return
    # a person's fix: stored as training data and applied to the mention
    await corrections.add_correction(
        session, mention.id, callback_data.label, access.user_id, now=clock()
    )
    await session.commit()
    await query.answer(t(lang, "label_saved", label=t(lang, f"label_{callback_data.label}")))
    # Every alert of the mention carries its id, with a case or without one.
    await refresh_alerts(bot, session, now=clock(), mention_id=mention.id)


def create_router() -> Router:
    """A fresh router (a router joins one dispatcher only; tests build several)."""
    router = Router(name="labels")
    router.callback_query.register(on_label, LabelFix.filter())
    return router
