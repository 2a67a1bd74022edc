"""Loading an alert's current state and keeping already-sent alerts up to date."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from bot.render import alert_keyboard, alert_text
from common.worktime import parse_hhmm
from storage.records import BrandRecord, MentionRecord
from storage.repositories import brands_admin, chats
from storage.repositories import cases as cases_repo
from storage.repositories import mentions as mentions_repo
from storage.repositories.cases import AlertMessage, CaseRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AlertView:
    mention: MentionRecord
    case: CaseRecord | None
    brand: BrandRecord

    def text(self, lang: str, now: datetime) -> str:
        tz = self.mention.branch_timezone or self.brand.timezone
        return alert_text(lang, self.mention, self.case, tz=tz, now=now)

    def keyboard(self, lang: str) -> InlineKeyboardMarkup:
        return alert_keyboard(lang, self.mention, self.case)

    async def edit(self, bot: Bot, sent: AlertMessage, lang: str, now: datetime) -> None:
        """Show this state in an alert already in a chat."""
        await bot.edit_message_text(
            text=self.text(lang, now),
            chat_id=sent.chat_id,
            message_id=sent.message_id,
            reply_markup=self.keyboard(lang),
            disable_web_page_preview=True,
        )


async def load_alert(
    session: AsyncSession, *, mention_id: int, case_id: int | None = None
) -> AlertView | None:
    found = await mentions_repo.get_mentions(session, [mention_id])
    if not found:
        return None
    mention = found[0]
    case = (
        await cases_repo.get_case(session, case_id)
        if case_id is not None
        else await cases_repo.case_for_mention(session, mention_id)
    )
    brand = await brands_admin.brand_settings(session, mention.brand_id)
    if brand is None:
        return None
    return AlertView(mention, case, brand)


async def refresh_alerts(
    bot: Bot,
    session: AsyncSession,
    *,
    now: datetime,
    case_id: int | None = None,
    mention_id: int | None = None,
) -> int:
    """Edit every delivered alert of the case (or mention) to show its current state.

    A refusal from Telegram (not modified, too old, chat gone) never fails the action that
    changed the case: the database is the truth and /case shows it. Returns edits made."""
    messages = await cases_repo.alert_messages(session, case_id=case_id, mention_id=mention_id)
    if not messages:
        return 0
    first = messages[0]
    view = await load_alert(session, mention_id=first.mention_id or 0, case_id=first.case_id)
    if view is None:
        return 0
    edited = 0
    for message in messages:
        lang = await chats.language(session, message.chat_id)
        try:
            await view.edit(bot, message, lang, now)
            edited += 1
        except (TelegramAPIError, TelegramNetworkError) as exc:
            log.info("alert %s/%s not edited: %s", message.chat_id, message.message_id, exc)
    return edited


def quiet_seconds_left(brand: BrandRecord, now: datetime) -> float | None:
    """Seconds until the brand's quiet hours end, or None outside them."""
    if not brand.quiet_start or not brand.quiet_end or brand.quiet_start == brand.quiet_end:
        return None
    zone = ZoneInfo(brand.timezone)
    local = now.astimezone(zone)
    start, end = parse_hhmm(brand.quiet_start), parse_hhmm(brand.quiet_end)
    current = local.time()
    inside = start <= current < end if start < end else current >= start or current < end
    if not inside:
        return None
    end_at = datetime.combine(local.date(), end, zone)
    if end_at <= local:
        end_at += timedelta(days=1)
    return (end_at - local).total_seconds()
