"""Callback data of the inline buttons (≤ 64 bytes each, so only ids and short codes)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class CaseAction(CallbackData, prefix="c"):
    """take | reply | resolve | ignore | reopen | confirm | why (ignore reason menu)."""

    action: str
    case_id: int
    arg: str = ""


class LabelFix(CallbackData, prefix="l"):
    """Open the label menu (label="") or set the mention's label."""

    mention_id: int
    label: str = ""


class MemberRemove(CallbackData, prefix="m"):
    """An owner's button under /members: take this user out of the brand's team."""

    brand_id: int
    user_id: int
