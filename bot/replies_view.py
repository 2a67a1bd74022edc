"""Messages about replies: a draft with its buttons, an approval request, what a sent reply
became, a thank-you suggestion."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import CaseAction, DraftAction, ThanksAction
from bot.case_actions import ReplyOutcome
from bot.render import MESSAGE_LIMIT, approval_buttons, esc, fit_escaped, is_link, link
from bot.texts import t
from common.vocabulary import PraiseState, ReplyState
from storage.records import MentionRecord
from storage.repositories.cases import CaseRecord
from storage.repositories.replies import DraftRecord

REVIEW_PREVIEW = 600


def draft_message(lang: str, draft: DraftRecord) -> tuple[str, InlineKeyboardMarkup]:
    head = t(lang, f"draft_title_{draft.origin}", id=draft.case_id)
    lines = [head]
    if draft.fallback:
        lines.append(t(lang, f"draft_{draft.fallback}", note=esc(draft.note or "")))
    body, _ = fit_escaped(draft.text, MESSAGE_LIMIT - 600)
    text = "\n".join(lines) + f"\n\n<blockquote>{body}</blockquote>"
    rows = [
        [_draft_button(lang, "send", draft.id), _draft_button(lang, "edit", draft.id)],
        [_draft_button(lang, "regen", draft.id), _draft_button(lang, "discard", draft.id)],
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def _draft_button(lang: str, action: str, draft_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=t(lang, f"btn_draft_{action}"),
        callback_data=DraftAction(action=action, draft_id=draft_id).pack(),
    )


def approval_message(
    lang: str, case: CaseRecord, mention: MentionRecord
) -> tuple[str, InlineKeyboardMarkup]:
    """The owner's view of a reply waiting for approval: the review, the reply, two buttons."""
    review, _ = fit_escaped(" ".join(mention.text.split()) or "—", REVIEW_PREVIEW)
    reply, _ = fit_escaped(case.reply_text or "", MESSAGE_LIMIT - REVIEW_PREVIEW - 500)
    text = t(
        lang,
        "approval_request",
        id=case.id,
        brand=esc(case.brand_name),
        who=esc(case.assignee_name or case.assignee_id or "—"),
        review=review,
        reply=reply,
    )
    return text, InlineKeyboardMarkup(inline_keyboard=[approval_buttons(lang, case.id)])


def reply_outcome_message(
    lang: str, outcome: ReplyOutcome
) -> tuple[str, InlineKeyboardMarkup | None]:
    """What the member who sent a reply is told, with the "posted" button where needed."""
    case_id = outcome.case.id
    if outcome.state == ReplyState.PUBLISHED:
        return t(lang, "reply_published_ok", id=case_id), None
    if outcome.state == ReplyState.PENDING:
        return t(lang, "reply_pending", id=case_id), None
    rows = [
        [
            InlineKeyboardButton(
                text=t(lang, "btn_confirm_reply"),
                callback_data=CaseAction(action="confirm", case_id=case_id).pack(),
            )
        ]
    ]
    if is_link(outcome.link):
        rows.append([InlineKeyboardButton(text=t(lang, "btn_open"), url=str(outcome.link))])
    if outcome.state == ReplyState.FAILED:
        text = t(lang, "reply_publish_failed", id=case_id, error=esc(outcome.error or ""))
    elif is_link(outcome.link):
        text = t(lang, "reply_saved_link", id=case_id, link=link(outcome.link, outcome.link or ""))
    else:
        text = t(lang, "reply_saved_nolink", id=case_id)
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def thanks_message(
    lang: str, praise_id: int, state: str, mention: MentionRecord, text: str, link_url: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A thank-you for praise: published already, or a one-tap suggestion to post by hand."""
    review, _ = fit_escaped(" ".join(mention.text.split()) or "—", REVIEW_PREVIEW)
    reply, _ = fit_escaped(text, MESSAGE_LIMIT - REVIEW_PREVIEW - 500)
    body = t(
        lang,
        f"thanks_{state}",
        brand=esc(mention.brand_name),
        author=esc(mention.author or t(lang, "anonymous")),
        review=review,
        reply=reply,
    )
    if state not in (PraiseState.SUGGESTED, PraiseState.FAILED):
        return body, None
    rows = [
        [
            InlineKeyboardButton(
                text=t(lang, "btn_thanks_posted"),
                callback_data=ThanksAction(action="posted", praise_id=praise_id).pack(),
            ),
            InlineKeyboardButton(
                text=t(lang, "btn_thanks_skip"),
                callback_data=ThanksAction(action="skip", praise_id=praise_id).pack(),
            ),
        ]
    ]
    if is_link(link_url):
        rows.append([InlineKeyboardButton(text=t(lang, "btn_open"), url=str(link_url))])
    return body, InlineKeyboardMarkup(inline_keyboard=rows)
