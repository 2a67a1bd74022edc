"""Reply drafts under a case: Draft on the alert, then Send as is, Edit, Regenerate, Discard;
an owner's Approve or Send back for replies waiting for approval. Every step is a case event."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ForceReply, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot import case_actions
from bot.alerts import refresh_alerts
from bot.callbacks import ApprovalAction, CaseAction, DraftAction
from bot.case_actions import CaseRefused, Publisher, ReplyOutcome, require_open
from bot.drafting import new_draft
from bot.handlers.cases import ReplyFlow
from bot.handlers.common import Refusal, actor, case_to_act, refusal_text
from bot.middlewares import Access
from bot.render import esc, fit_escaped
from bot.replies_view import draft_message, reply_outcome_message
from bot.texts import t
from common.clock import Clock
from common.vocabulary import CaseEventKind, DraftState
from replies import Drafter
from storage.repositories import mentions as mentions_repo
from storage.repositories import replies as replies_repo
from storage.repositories.cases import CaseRecord
from storage.repositories.replies import DraftRecord

EDIT_PREVIEW = 3000


async def on_draft(
    query: CallbackQuery,
    callback_data: CaseAction,
    session: AsyncSession,
    access: Access,
    lang: str,
    clock: Clock,
    drafter: Drafter,
) -> None:
    """📝 under an alert or case card: a fresh draft as a new message."""
    try:
        case = await case_to_act(session, access, lang, callback_data.case_id, "draft")
        require_open(case)  # before anything is stored or the button is answered
    except (Refusal, CaseRefused) as refused:
        await query.answer(refusal_text(lang, refused), show_alert=True)
        return
    # Answered before drafting: a language model may take longer than Telegram waits.
    await query.answer()
    draft = await _draft_for(session, drafter, case, access, clock, CaseEventKind.DRAFT)
    await session.commit()
    if isinstance(query.message, Message):
        text, keyboard = draft_message(lang, draft)
        await query.message.answer(text, reply_markup=keyboard, disable_web_page_preview=True)


async def on_draft_button(
    query: CallbackQuery,
    callback_data: DraftAction,
    bot: Bot,
    session: AsyncSession,
    access: Access,
    lang: str,
    clock: Clock,
    state: FSMContext,
    drafter: Drafter,
    publisher: Publisher | None,
) -> None:
    action = callback_data.action
    try:
        draft = await replies_repo.get_draft(session, callback_data.draft_id)
        if draft is None or draft.case_id is None:
            raise Refusal(t(lang, "draft_gone"))
        case = await case_to_act(session, access, lang, draft.case_id, "draft")
        if draft.state != DraftState.SHOWN:
            raise Refusal(t(lang, "draft_gone"))
        require_open(case)  # before anything is stored or the button is answered
        if action == "regen":
            await _regenerate(query, session, drafter, case, access, lang, clock)
        elif action == "edit":
            await _edit(query, session, state, draft, case, access, lang, clock)
        elif action == "discard":
            await replies_repo.set_draft_state(session, draft.id, DraftState.DISCARDED)
            await case_actions.note_step(
                session, case, actor(access), clock(), CaseEventKind.DRAFT_DISCARD
            )
            await session.commit()
            await query.answer()
            await _replace_pressed(query, t(lang, "draft_discarded", id=case.id))
        elif action == "send":
            outcome = await case_actions.write_reply(
                session,
                case,
                actor(access),
                draft.text,
                clock(),
                publisher=publisher,
                by_owner=access.is_owner(case.brand_id),
            )
            await replies_repo.set_draft_state(session, draft.id, DraftState.SENT)
            await _after_send(query, bot, session, lang, outcome, clock)
        else:
            await query.answer()
    except (Refusal, CaseRefused) as refused:
        await query.answer(refusal_text(lang, refused), show_alert=True)


async def _draft_for(
    session: AsyncSession,
    drafter: Drafter,
    case: CaseRecord,
    access: Access,
    clock: Clock,
    action: CaseEventKind,
) -> DraftRecord:
    # The case's mention exists: deleting a mention deletes its case.
    (mention,) = await mentions_repo.get_mentions(session, [case.mention_id])
    now = clock()
    draft = await new_draft(
        session, drafter, mention, case_id=case.id, actor_id=access.user_id, now=now
    )
    detail = draft.origin + (f" ({draft.fallback}: {draft.note})" if draft.fallback else "")
    await case_actions.note_step(session, case, actor(access), now, action, detail)
    return draft


async def _regenerate(
    query: CallbackQuery,
    session: AsyncSession,
    drafter: Drafter,
    case: CaseRecord,
    access: Access,
    lang: str,
    clock: Clock,
) -> None:
    """A new wording in place of the old one (the old draft is marked replaced)."""
    await query.answer()
    draft = await _draft_for(session, drafter, case, access, clock, CaseEventKind.DRAFT_REGENERATE)
    await session.commit()
    text, keyboard = draft_message(lang, draft)
    if isinstance(query.message, Message):
        try:
            await query.message.edit_text(
                text, reply_markup=keyboard, disable_web_page_preview=True
            )
        except TelegramAPIError:  # too old to edit: show it anew
            await query.message.answer(text, reply_markup=keyboard, disable_web_page_preview=True)


async def _edit(
    query: CallbackQuery,
    session: AsyncSession,
    state: FSMContext,
    draft: DraftRecord,
    case: CaseRecord,
    access: Access,
    lang: str,
    clock: Clock,
) -> None:
    """The member sends a corrected text; it goes the way of any written reply."""
    await replies_repo.set_draft_state(session, draft.id, DraftState.EDITED)
    await case_actions.note_step(session, case, actor(access), clock(), CaseEventKind.DRAFT_EDIT)
    await session.commit()
    await state.set_state(ReplyFlow.text)
    await state.update_data(case_id=case.id)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        shown, _ = fit_escaped(draft.text, EDIT_PREVIEW)
        await query.message.answer(
            t(lang, "ask_edit", id=case.id, text=shown), reply_markup=ForceReply(selective=True)
        )


async def _after_send(
    query: CallbackQuery,
    bot: Bot,
    session: AsyncSession,
    lang: str,
    outcome: ReplyOutcome,
    clock: Clock,
) -> None:
    await session.commit()
    await query.answer(t(lang, "draft_sent"))
    await refresh_alerts(bot, session, now=clock(), case_id=outcome.case.id)
    if isinstance(query.message, Message):
        try:
            await query.message.edit_reply_markup(reply_markup=None)
        except TelegramAPIError:
            pass  # the buttons stay; pressing them again answers "already sent"
        text, keyboard = reply_outcome_message(lang, outcome)
        await query.message.answer(text, reply_markup=keyboard, disable_web_page_preview=True)


async def on_approval(
    query: CallbackQuery,
    callback_data: ApprovalAction,
    bot: Bot,
    session: AsyncSession,
    access: Access,
    lang: str,
    clock: Clock,
    publisher: Publisher | None,
) -> None:
    """An owner approves (publishes) or sends back a PR member's reply."""
    try:
        case = await case_to_act(session, access, lang, callback_data.case_id, "approve")
        if not access.is_owner(case.brand_id):
            raise Refusal(t(lang, "owner_only"))
        who = actor(access)
        if callback_data.action == "approve":
            outcome = await case_actions.approve_reply(
                session, case, who, clock(), publisher=publisher
            )
            note = t(lang, "approved_note", name=esc(access.name))
            answer, keyboard = reply_outcome_message(lang, outcome)
            case_id = outcome.case.id
        else:
            case = await case_actions.reject_reply(session, case, who, clock())
            note = t(lang, "rejected_note", name=esc(access.name))
            answer, keyboard, case_id = note, None, case.id
    except (Refusal, CaseRefused) as refused:
        await query.answer(refusal_text(lang, refused), show_alert=True)
        return
    await session.commit()
    await query.answer(note if callback_data.action != "approve" else None)
    await refresh_alerts(bot, session, now=clock(), case_id=case_id)
    message = query.message
    if isinstance(message, Message) and _is_approval_request(message):
        try:
            await message.edit_text(f"{message.html_text}\n\n{note}", reply_markup=None)
        except TelegramAPIError:
            pass  # too old to edit: the answer below says what happened
    if isinstance(message, Message) and callback_data.action == "approve":
        await message.answer(answer, reply_markup=keyboard, disable_web_page_preview=True)


def _is_approval_request(message: Message) -> bool:
    """The owner's approval message (only Approve / Send back under it), not an alert card,
    which refresh_alerts has already redrawn."""
    markup = message.reply_markup
    buttons = [b for row in markup.inline_keyboard for b in row] if markup else []
    return bool(buttons) and all(
        (b.callback_data or "").startswith(ApprovalAction.__prefix__ + ":") for b in buttons
    )


async def _replace_pressed(query: CallbackQuery, text: str) -> None:
    if isinstance(query.message, Message):
        try:
            await query.message.edit_text(text, reply_markup=None)
        except TelegramAPIError:
            await query.message.answer(text)


def create_router() -> Router:
    """A fresh router (a router joins one dispatcher only; tests build several)."""
    router = Router(name="drafts")
    router.callback_query.register(on_draft, CaseAction.filter(F.action == CaseEventKind.DRAFT))
    router.callback_query.register(on_draft_button, DraftAction.filter())
    router.callback_query.register(on_approval, ApprovalAction.filter())
    return router
