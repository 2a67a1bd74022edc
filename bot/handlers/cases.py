"""Case handling by the PR team: commands and alert buttons share bot.case_actions."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot import case_actions
from bot.alerts import load_alert, refresh_alerts
from bot.callbacks import CaseAction
from bot.case_actions import CaseRefused, Publisher, ReplyOutcome
from bot.handlers.common import (
    Refusal,
    actor,
    args_of,
    case_to_act,
    parse_int,
    refusal_text,
    rest_after,
)
from bot.handlers.views import case_details, case_list
from bot.middlewares import Access
from bot.render import esc
from bot.replies_view import reply_outcome_message
from bot.texts import t
from common.clock import Clock
from common.vocabulary import CaseEventKind
from storage.repositories import cases as cases_repo
from storage.repositories.cases import CaseRecord

IGNORE_REASONS = ("spam", "offtopic", "duplicate", "handled")


class ReplyFlow(StatesGroup):
    text = State()


async def cmd_cases(
    message: Message, session: AsyncSession, access: Access, lang: str, clock: Clock
) -> None:
    try:
        text = await case_list(session, access, lang, args_of(message.text), now=clock())
    except Refusal as refusal:
        text = refusal.text
    await message.answer(text, disable_web_page_preview=True)


async def cmd_case(
    message: Message, session: AsyncSession, access: Access, lang: str, clock: Clock
) -> None:
    case_id = parse_int(next(iter(args_of(message.text)), None))
    try:
        text, keyboard = await case_details(session, access, lang, case_id, now=clock())
    except Refusal as refusal:
        await message.answer(refusal.text)
        return
    await message.answer(text, reply_markup=keyboard, disable_web_page_preview=True)


async def cmd_change(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    access: Access,
    lang: str,
    clock: Clock,
    publisher: Publisher | None,
) -> None:
    command = (message.text or "").split()[0].lstrip("/").split("@")[0]
    words = args_of(message.text)
    case_id = parse_int(words[0] if words else None)
    try:
        case = await case_to_act(session, access, lang, case_id, command)
        now = clock()
        who = actor(access)
        if command == CaseEventKind.TAKE:
            case = await case_actions.take(session, case, who, now)
            text = t(lang, "took", id=case.id, name=esc(access.name))
        elif command == CaseEventKind.RESOLVE:
            case = await case_actions.resolve(session, case, who, now)
            text = t(lang, "resolved", id=case.id)
        elif command == CaseEventKind.REOPEN:
            case = await case_actions.reopen(session, case, who, now)
            text = t(lang, "reopened", id=case.id)
        elif command == CaseEventKind.ASSIGN:
            user_id = parse_int(words[1] if len(words) > 1 else None)
            if user_id is None:
                raise Refusal(t(lang, "usage_assign"))
            case = await case_actions.assign(session, case, who, user_id, now)
            text = t(lang, "assigned", id=case.id, name=esc(case.assignee_name or user_id))
        elif command == CaseEventKind.IGNORE:
            reason = rest_after(message.text, 1)
            if not reason:
                raise Refusal(t(lang, "usage_ignore"))
            case = await case_actions.ignore(session, case, who, reason, now)
            text = t(lang, "ignored", id=case.id, reason=esc(reason))
        else:
            reply = rest_after(message.text, 1)
            if not reply:
                raise Refusal(t(lang, "usage_reply"))
            outcome = await case_actions.write_reply(
                session,
                case,
                who,
                reply,
                now,
                publisher=publisher,
                by_owner=access.is_owner(case.brand_id),
            )
            await _after_reply(message, bot, session, lang, outcome, clock)
            return
    except (Refusal, CaseRefused) as refused:
        await message.answer(refusal_text(lang, refused))
        return
    await session.commit()
    await refresh_alerts(bot, session, now=clock(), case_id=case.id)
    await message.answer(text)


async def cmd_cancel(message: Message, state: FSMContext, lang: str) -> None:
    await state.clear()
    await message.answer(t(lang, "cancelled"))


async def reply_text(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    access: Access,
    lang: str,
    clock: Clock,
    state: FSMContext,
    publisher: Publisher | None,
) -> None:
    data = await state.get_data()
    await state.clear()
    try:
        case = await case_to_act(session, access, lang, data.get("case_id"), "reply")
        outcome = await case_actions.write_reply(
            session,
            case,
            actor(access),
            message.text or "",
            clock(),
            publisher=publisher,
            by_owner=access.is_owner(case.brand_id),
        )
    except (Refusal, CaseRefused) as refused:
        await message.answer(refusal_text(lang, refused))
        return
    await _after_reply(message, bot, session, lang, outcome, clock)


async def _after_reply(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    lang: str,
    outcome: ReplyOutcome,
    clock: Clock,
) -> None:
    await session.commit()
    await refresh_alerts(bot, session, now=clock(), case_id=outcome.case.id)
    text, keyboard = reply_outcome_message(lang, outcome)
    await message.answer(text, reply_markup=keyboard, disable_web_page_preview=True)


async def on_case_button(
    query: CallbackQuery,
    callback_data: CaseAction,
    bot: Bot,
    session: AsyncSession,
    access: Access,
    lang: str,
    clock: Clock,
    state: FSMContext,
) -> None:
    try:
        case = await case_to_act(session, access, lang, callback_data.case_id, callback_data.action)
        now = clock()
        who = actor(access)
        action = callback_data.action
        if action == CaseEventKind.REPLY:
            await _ask_reply(query, state, lang, case)
            return
        if action == "why":
            await query.answer()
            if isinstance(query.message, Message):
                await query.message.answer(
                    t(lang, "choose_ignore_reason", id=case.id),
                    reply_markup=_reasons_keyboard(lang, case.id),
                )
            return
        if action == CaseEventKind.TAKE:
            case = await case_actions.take(session, case, who, now)
            toast = t(lang, "took", id=case.id, name=access.name)
        elif action == CaseEventKind.RESOLVE:
            case = await case_actions.resolve(session, case, who, now)
            toast = t(lang, "resolved", id=case.id)
        elif action == CaseEventKind.IGNORE:
            reason = (
                t(lang, f"ignore_reason_{callback_data.arg}")
                if callback_data.arg in IGNORE_REASONS
                else "—"
            )
            case = await case_actions.ignore(session, case, who, reason, now)
            toast = t(lang, "ignored", id=case.id, reason=reason)
        elif action == CaseEventKind.REOPEN:
            case = await case_actions.reopen(session, case, who, now)
            toast = t(lang, "reopened", id=case.id)
        elif action == "confirm":
            case = await case_actions.confirm_reply(session, case, who, now)
            toast = t(lang, "reply_confirmed", id=case.id)
        else:
            await query.answer()
            return
    except (Refusal, CaseRefused) as refused:
        await query.answer(refusal_text(lang, refused), show_alert=True)
        return
    await session.commit()
    await query.answer(toast)
    await refresh_alerts(bot, session, now=clock(), case_id=case.id)
    await _refresh_pressed(query, bot, session, lang, case, clock)


async def _ask_reply(query: CallbackQuery, state: FSMContext, lang: str, case: CaseRecord) -> None:
    await state.set_state(ReplyFlow.text)
    await state.update_data(case_id=case.id)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(
            t(lang, "ask_reply", id=case.id), reply_markup=ForceReply(selective=True)
        )


def _reasons_keyboard(lang: str, case_id: int) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            text=t(lang, f"ignore_reason_{reason}"),
            callback_data=CaseAction(
                action=CaseEventKind.IGNORE, case_id=case_id, arg=reason
            ).pack(),
        )
        for reason in IGNORE_REASONS
    ]
    return InlineKeyboardMarkup(inline_keyboard=[buttons[:2], buttons[2:]])


async def _refresh_pressed(
    query: CallbackQuery, bot: Bot, session: AsyncSession, lang: str, case: CaseRecord, clock: Clock
) -> None:
    """A button under /case output (not an outbox alert) updates that message too."""
    message = query.message
    if not isinstance(message, Message) or not message.reply_markup:
        return
    if await cases_repo.alert_at(session, message.chat.id, message.message_id) is not None:
        return
    if not any(
        button.callback_data and button.callback_data.startswith("l:")
        for row in message.reply_markup.inline_keyboard
        for button in row
    ):
        return  # a reason menu or reply prompt, not a case card
    view = await load_alert(session, mention_id=case.mention_id, case_id=case.id)
    if view is None:
        return
    try:
        await message.edit_text(
            view.text(lang, clock()),
            reply_markup=view.keyboard(lang),
            disable_web_page_preview=True,
        )
    except TelegramAPIError:
        pass  # unchanged or too old: the case itself is saved


def create_router() -> Router:
    """A fresh router (a router joins one dispatcher only; tests build several)."""
    router = Router(name="cases")
    router.message.register(cmd_cases, Command("cases"))
    router.message.register(cmd_case, Command("case"))
    router.message.register(
        cmd_change, Command("take", "resolve", "reopen", "assign", "ignore", "reply")
    )
    router.message.register(cmd_cancel, Command("cancel"))
    router.message.register(
        reply_text, StateFilter(ReplyFlow.text), F.text, ~F.text.startswith("/")
    )
    router.callback_query.register(on_case_button, CaseAction.filter())
    return router
