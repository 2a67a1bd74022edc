"""Alert messages: text (HTML, every user string escaped, within Telegram's 4096) and buttons."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import ApprovalAction, CaseAction, LabelFix
from bot.texts import t
from common.vocabulary import (
    AWAITING_STATUSES,
    CLOSED_STATUSES,
    CaseEventKind,
    CaseStatus,
    Label,
    ReplyState,
)
from reports.i18n import touchpoint_name
from storage.records import MentionRecord
from storage.repositories.cases import CaseRecord

MESSAGE_LIMIT = 4096
_TAGS = re.compile(r"<[^>]+>")
# Polls run every few minutes, so a review seen this long after its date was held back by the
# site (moderation) or listed out of order: the alert shows both times.
LATE_AFTER = timedelta(hours=3)
REPLY_PREVIEW = 300
SOURCE_NAMES = {
    "twogis": "2ГИС",
    "2gis": "2ГИС",
    "yandex_maps": "Яндекс Карты",
    "google_maps": "Google Maps",
    "flamp": "Flamp",
    "otzovik": "Отзовик",
    "irecommend": "iRecommend",
    "appstore": "App Store",
    "google_play": "Google Play",
    "telegram": "Telegram",
    "reddit": "Reddit",
    "hackernews": "Hacker News",
    "rss": "RSS",
}


def esc(text: object) -> str:
    """User text made safe for Telegram HTML."""
    return html.escape(str(text), quote=False)


def plain(text: str) -> str:
    """Telegram HTML as plain text, for a terminal or a popup that shows no markup."""
    return html.unescape(_TAGS.sub("", text)).strip()


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji can count twice)."""
    return len(text.encode("utf-16-le")) // 2


def is_link(url: str | None) -> bool:
    return bool(url) and str(url).lower().startswith(("http://", "https://"))


def link(url: str | None, label: str) -> str:
    if not is_link(url):
        return esc(label)
    return f'<a href="{html.escape(str(url), quote=True)}">{esc(label)}</a>'


def local_time(moment: datetime | None, tz: str) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(tz)).strftime("%d.%m.%Y %H:%M")


def source_name(kind: str) -> str:
    return SOURCE_NAMES.get(kind, kind)


def stars(rating: float | None) -> str:
    if rating is None:
        return ""
    full = max(0, min(5, round(rating)))
    return "★" * full + "☆" * (5 - full) + f" {rating:g}/5"


def fit_escaped(text: str, budget: int) -> tuple[str, bool]:
    """Escape `text`, cut to at most `budget` UTF-16 units without splitting an entity;
    the flag says whether anything was cut."""
    out: list[str] = []
    used = 0
    for char in text:
        piece = esc(char)
        size = utf16_len(piece)
        if used + size > budget:
            return "".join(out).rstrip() + "…", True
        out.append(piece)
        used += size
    return "".join(out), False


_POLARITY_MARK: dict[str, str] = {Label.POSITIVE: "👍", Label.NEGATIVE: "👎"}


def tag_names(lang: str, touchpoints: list[dict[str, str]]) -> str:
    """Touchpoints in the chat's language with their tone, e.g. «персонал 👎, цены 👍»."""
    named: dict[str, str] = {}
    for item in touchpoints:
        tag = str(item.get("tag", ""))
        if tag and tag not in named:
            mark = _POLARITY_MARK.get(str(item.get("polarity", "")), "")
            named[tag] = f"{touchpoint_name(tag, lang)} {mark}".strip()
    return ", ".join(esc(name) for name in named.values())


def deadline_note(lang: str, case: CaseRecord, *, tz: str, now: datetime) -> str:
    """The due or overdue mark while the case still awaits its first response, else ""."""
    if (
        case.due_at is None
        or case.status not in AWAITING_STATUSES
        or case.first_response_at is not None
    ):
        return ""
    key = "overdue" if now >= case.due_at else "due"
    return " · " + t(lang, key, due=local_time(case.due_at, tz))


def case_lines(lang: str, case: CaseRecord, *, tz: str, now: datetime) -> list[str]:
    status = t(lang, f"status_{case.status}")
    line = t(lang, "case_line", id=case.id, status=status)
    lines = [line + deadline_note(lang, case, tz=tz, now=now)]
    if case.assignee_id is not None:
        lines.append(t(lang, "assignee", name=esc(case.assignee_name or case.assignee_id)))
    if case.reply_text:
        preview, _ = fit_escaped(case.reply_text, REPLY_PREVIEW)
        state_key = case.reply_state or ReplyState.LOCAL
        if state_key == ReplyState.LOCAL and case.first_response_at is not None:
            state_key = "manual"
        if state_key in (ReplyState.PENDING, ReplyState.REJECTED):
            state_key += "_state"
        state = t(lang, f"reply_{state_key}")
        lines.append(t(lang, "reply_line", state=state, text=preview))
    if case.status == CaseStatus.IGNORED and case.ignore_reason:
        lines.append(t(lang, "ignored_because", reason=esc(case.ignore_reason)))
    return lines


def alert_text(
    lang: str, mention: MentionRecord, case: CaseRecord | None, *, tz: str, now: datetime
) -> str:
    """The alert as the chat shows it now; long texts are trimmed with a link to the original."""
    title = t(lang, f"alert_title_{mention.sentiment_label or 'unknown'}")
    head = [f"{title} · {esc(mention.brand_name)}"]
    if mention.branch_name:
        head[0] += f" · 📍 {esc(mention.branch_name)}"
    source = f"{t(lang, 'source')}: {link(mention.url, source_name(mention.source_kind))}"
    if mention.rating is not None:
        source += f" · {stars(mention.rating)}"
    head.append(source)
    when = local_time(mention.published_at or mention.first_seen_at, tz)
    if mention.published_at and mention.first_seen_at - mention.published_at > LATE_AFTER:
        when = t(
            lang,
            "written_appeared",
            written=when,
            appeared=local_time(mention.first_seen_at, tz),
        )
    head.append(f"{t(lang, 'author')}: {esc(mention.author or t(lang, 'anonymous'))} · {when}")
    tail: list[str] = []
    if mention.sentiment_label:
        sentiment = f"{t(lang, 'sentiment')}: {t(lang, f'label_{mention.sentiment_label}')}"
        if mention.sentiment_score is not None:
            sentiment += f" ({mention.sentiment_score:.2f})"
        tail.append(sentiment)
    if mention.needs_review:
        tail.append(t(lang, "needs_review"))
    if mention.edited_at is not None:
        tail.append(t(lang, "edited_mark", at=local_time(mention.edited_at, tz)))
    if mention.removed_at is not None:
        tail.append(t(lang, "removed_mark", at=local_time(mention.removed_at, tz)))
    if mention.touchpoints:
        tail.append(f"{t(lang, 'tags')}: {tag_names(lang, mention.touchpoints)}")
    if case is not None:
        tail.extend(case_lines(lang, case, tz=tz, now=now))

    frame = "\n".join(head) + "\n\n<blockquote></blockquote>\n\n" + "\n".join(tail)
    more = " " + link(mention.url, t(lang, "read_more")) if is_link(mention.url) else ""
    body_source = (mention.title + "\n" if mention.title else "") + (mention.text or "")
    budget = MESSAGE_LIMIT - utf16_len(frame) - utf16_len(more) - 8
    body, cut = fit_escaped(body_source.strip() or "—", max(budget, 100))
    if cut:
        body += more
    return "\n".join(head) + f"\n\n<blockquote>{body}</blockquote>\n\n" + "\n".join(tail)


def alert_keyboard(
    lang: str, mention: MentionRecord, case: CaseRecord | None
) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    if case is not None:
        if case.status in CLOSED_STATUSES:
            rows.append([_case_button(lang, "btn_reopen", CaseEventKind.REOPEN, case.id)])
        else:
            rows.append(
                [
                    _case_button(lang, "btn_take", CaseEventKind.TAKE, case.id),
                    _case_button(lang, "btn_reply", CaseEventKind.REPLY, case.id),
                    _case_button(lang, "btn_draft", CaseEventKind.DRAFT, case.id),
                ]
            )
            if case.reply_state == ReplyState.PENDING:
                rows.append(approval_buttons(lang, case.id))
            rows.append(
                [
                    _case_button(lang, "btn_resolve", CaseEventKind.RESOLVE, case.id),
                    _case_button(lang, "btn_ignore", "why", case.id),
                ]
            )
            if case.reply_state == ReplyState.LOCAL and case.status != CaseStatus.REPLIED:
                rows.append([_case_button(lang, "btn_confirm_reply", "confirm", case.id)])
    last: list[InlineKeyboardButton] = []
    if is_link(mention.url):
        last.append(InlineKeyboardButton(text=t(lang, "btn_open"), url=str(mention.url)))
    last.append(
        InlineKeyboardButton(
            text=t(lang, "btn_label"), callback_data=LabelFix(mention_id=mention.id).pack()
        )
    )
    rows.append(last)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def approval_buttons(lang: str, case_id: int) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(
            text=t(lang, f"btn_{action}"),
            callback_data=ApprovalAction(action=action, case_id=case_id).pack(),
        )
        for action in ("approve", "reject")
    ]


def _case_button(lang: str, key: str, action: str, case_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=t(lang, key), callback_data=CaseAction(action=action, case_id=case_id).pack()
    )
