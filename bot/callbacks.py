"""Callback data of the inline buttons (≤ 64 bytes each, so only ids and short codes)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class CaseAction(CallbackData, prefix="c"):
    """take | reply | draft | resolve | ignore | reopen | confirm | why (ignore reason menu)."""

    action: str
    case_id: int
    arg: str = ""


class BacklogCase(CallbackData, prefix="b"):
    """Open a case for a review from the backlog."""

    mention_id: int


class LabelFix(CallbackData, prefix="l"):
    """Open the label menu (label="") or set the mention's label."""

    mention_id: int
    label: str = ""


class DraftAction(CallbackData, prefix="d"):
    """Buttons under a reply draft: send | edit | regen | discard."""

    action: str
    draft_id: int


class ApprovalAction(CallbackData, prefix="ap"):
    """An owner's decision on a reply waiting for approval: approve | reject."""

    action: str
    case_id: int


class ThanksAction(CallbackData, prefix="th"):
    """A suggested thank-you for praise: posted (by hand) | skip."""

    action: str
    praise_id: int
