"""The digest in Telegram: `/digest [brand] [period]` on demand, and delivery of the weekly
digest queued in the outbox (kind OutboxKind.DIGEST)."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiogram import Bot, Router
from aiogram.enums import ParseMode
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, LinkPreviewOptions, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import DeliveryError
from bot.handlers.common import may_configure_chat
from bot.insight import deliver_insight
from bot.middlewares import Access
from bot.texts import t
from common.clock import Clock
from common.vocabulary import Role
from reports import DigestFigures, Period, PeriodError, digest_html, header
from reports.chart import render_chart
from reports.i18n import language
from reports.insight_build import build_branch_figures, build_digest_and_insight
from reports.periods import DEFAULT_TIMEZONE, looks_like_period, parse_period, zone
from reports.telegram import CAPTION_LIMIT
from scrapers.sanitise import name_key
from storage.records import OutboxRecord
from storage.repositories import branches, chats, digests, stats
from storage.repositories.stats import BrandInfo

logger = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def create_router() -> Router:
    """A fresh digest router (a router joins one dispatcher only; tests build several)."""
    digest_router = Router(name="digest")
    digest_router.message.register(digest_command, Command("digest"))
    digest_router.message.register(digest_slot_command, Command("digest_at"))
    return digest_router


async def digest_command(
    message: Message,
    command: CommandObject,
    bot: Bot,
    session: AsyncSession,
    access: Access,
    clock: Clock,
) -> None:
    """`/digest [brand] [7d|30d|YYYY-MM]`: the report for a brand the user is a member of."""
    now = clock()
    asked = await report_request(message, command, session, access, now)
    if asked is None:
        return
    brand, period, lang = asked
    scope = access.scopes().get(brand.id)
    branch = await branches.branch_by_id(session, scope) if scope is not None else None
    if branch is not None:  # a branch manager's digest is their branch's
        figures = await build_branch_figures(session, brand, branch, period, now)
        await deliver_digest(bot, message.chat.id, figures, lang)
        return
    figures, insight = await build_digest_and_insight(session, brand, period, now)
    await deliver_digest(bot, message.chat.id, figures, lang)
    await deliver_insight(bot, message.chat.id, insight, lang)


async def report_request(
    message: Message, command: CommandObject, session: AsyncSession, access: Access, now: datetime
) -> tuple[BrandInfo, Period, str] | None:
    """The brand and period a `/digest`-style command asks for (`[brand] [7d|30d|YYYY-MM]`) and
    the chat's language; None once the user has been told what was wrong."""
    words = (command.args or "").split()
    spec = words.pop() if words and looks_like_period(words[-1]) else None
    chat = await stats.chat_settings(session, message.chat.id)
    lang = chat.language if chat else user_language(message)
    brand, problem = await choose_brand(session, message, access, " ".join(words), lang)
    if brand is None:
        await message.answer(problem, parse_mode=ParseMode.HTML)
        return None
    try:
        period = parse_period(spec, now, chat.timezone if chat else brand.timezone)
    except PeriodError:
        await message.answer(t(lang, "digest_bad_period"), parse_mode=ParseMode.HTML)
        return None
    return brand, period, lang


_WEEKDAY_NAMES = (
    ("mon", "пн", "пон"),
    ("tue", "вт", "вто"),
    ("wed", "ср", "сре"),
    ("thu", "чт", "чет"),
    ("fri", "пт", "пят"),
    ("sat", "сб", "суб"),
    ("sun", "вс", "вос"),
)
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


async def digest_slot_command(
    message: Message, command: CommandObject, session: AsyncSession, access: Access
) -> None:
    """`/digest_at mon 10:00 [Europe/Moscow]` or `/digest_at off`: when this chat gets the
    weekly digest. Owners only: the slot is the whole chat's."""
    chat = await stats.chat_settings(session, message.chat.id)
    lang = chat.language if chat else user_language(message)
    if not access.brands_where(Role.OWNER) or not await may_configure_chat(
        session, access, message.chat
    ):
        await message.answer(t(lang, "digest_at_owners"))
        return
    words = (command.args or "").split()
    if words == ["off"]:
        await digests.set_digest_slot(session, message.chat.id, enabled=False)
        await session.commit()
        await message.answer(t(lang, "digest_at_off"))
        return
    day = _weekday(words[0]) if words else None
    time = _HHMM.match(words[1]) if len(words) > 1 else None
    zone_name = words[2] if len(words) > 2 else None
    if day is None or time is None or len(words) > 3 or (zone_name and not _known_zone(zone_name)):
        await message.answer(t(lang, "digest_at_usage"), parse_mode=ParseMode.HTML)
        return
    at = f"{int(time.group(1)):02d}:{time.group(2)}"
    await digests.set_digest_slot(
        session, message.chat.id, enabled=True, weekday=day, time=at, timezone=zone_name
    )
    await session.commit()
    await message.answer(
        t(
            lang,
            "digest_at_set",
            day=t(lang, f"weekday_{day}"),
            at=at,
            zone=escape(zone_name or (chat.timezone if chat else DEFAULT_TIMEZONE)),
        ),
        parse_mode=ParseMode.HTML,
    )


def _weekday(word: str) -> int | None:
    """0 for Monday: "mon", "monday", "пн", "понедельник" or "1"."""
    word = word.lower()
    if word.isdigit():
        return int(word) - 1 if 1 <= int(word) <= 7 else None
    for day, names in enumerate(_WEEKDAY_NAMES):
        if word[:3] in names or word in names:
            return day
    return None


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


async def send_digest(
    bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    message: OutboxRecord,
    *,
    now: datetime | None = None,
) -> int:
    """Render and send a queued weekly digest; returns the Telegram id of its last message.

    Called by bot.delivery.TelegramNotifier, which maps aiogram's errors to bot.errors.
    When the chart went out but the text did not, the retry sends only the text; when the
    digest went out but the insight after it (branches, competitors) did not, only the part of
    the insight that did not.
    """
    now = now or datetime.now(UTC)
    async with sessionmaker() as session:
        payload = await digests.outbox_payload(session, message.id) or dict(message.payload)
        brand_id = int(payload.get("brand_id") or message.brand_id or 0)
        brand = await stats.brand_by_id(session, brand_id)
        if brand is None:
            raise DeliveryError(f"digest {message.dedup_key}: brand {brand_id} no longer exists")
        chat = await stats.chat_settings(session, message.chat_id)
        lang = language(chat.language if chat else None)
        period = _period_from_payload(payload, chat.timezone if chat else brand.timezone)
        # A branch manager's chat gets its branch's digest, without the ranking of the others.
        branch = await branches.chat_branch(session, brand_id, message.chat_id)
        if branch is not None:
            figures = await build_branch_figures(session, brand, branch, period, now)
            insight = None
        else:
            figures, insight = await build_digest_and_insight(session, brand, period, now)

    async def remember(key: str, value: int | list[str]) -> None:
        payload[key] = value
        async with sessionmaker() as session, session.begin():
            await digests.save_outbox_payload(session, message.id, payload)

    async def chart_sent(name: str) -> None:
        await remember("insight_charts_sent", [*payload.get("insight_charts_sent", []), name])

    if "digest_message_id" not in payload:
        digest_id = await deliver_digest(
            bot,
            message.chat_id,
            figures,
            lang,
            photo_sent="photo_message_id" in payload,
            on_photo=lambda photo_id: remember("photo_message_id", photo_id),
        )
        if insight is None or not (insight.has_branches or insight.has_competitors):
            return digest_id
        await remember("digest_message_id", digest_id)
    last = (
        await deliver_insight(
            bot,
            message.chat_id,
            insight,
            lang,
            charts_sent=payload.get("insight_charts_sent", []),
            on_chart=chart_sent,
        )
        if insight
        else None
    )
    return last or int(payload["digest_message_id"])


async def deliver_digest(
    bot: Bot,
    chat_id: int,
    figures: DigestFigures,
    lang: str,
    *,
    photo_sent: bool = False,
    on_photo: Callable[[int], Awaitable[None]] | None = None,
) -> int:
    """Chart first (people look before they read), then the text; one captioned photo when
    the text is short. A period without mentions is a short text and no chart."""
    text = digest_html(figures, lang)
    if figures.empty:
        return await _send_text(bot, chat_id, text)
    if not photo_sent:
        png = await asyncio.to_thread(render_chart, figures, lang)
        photo = BufferedInputFile(png, filename="digest.png")
        if len(text) <= CAPTION_LIMIT:
            sent = await bot.send_photo(chat_id, photo, caption=text, parse_mode=ParseMode.HTML)
            return sent.message_id
        sent = await bot.send_photo(
            chat_id, photo, caption=header(figures, lang), parse_mode=ParseMode.HTML
        )
        if on_photo is not None:
            await on_photo(sent.message_id)
    return await _send_text(bot, chat_id, text)


async def _send_text(bot: Bot, chat_id: int, text: str) -> int:
    sent = await bot.send_message(
        chat_id, text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
    )
    return sent.message_id


async def choose_brand(
    session: AsyncSession, message: Message, access: Access, name: str, lang: str
) -> tuple[BrandInfo | None, str]:
    """The brand the user asked for (or their only one), if they are its member. A brand they
    are not in gets the same answer as one that does not exist: names are not disclosed."""
    if name:
        key = name_key(name)
        for membership in access.memberships.values():
            if name_key(membership.brand_name) == key:
                return await stats.brand_by_id(session, membership.brand_id), ""
        return None, t(lang, "digest_unknown_brand", name=escape(name))
    mine = list(access.memberships.values())
    if message.chat.type != "private":
        here = set(await chats.brand_ids_of_chat(session, message.chat.id))
        mine = [m for m in mine if m.brand_id in here] or mine
    if not mine:
        return None, t(lang, "digest_no_brands")
    if len(mine) > 1:
        names = ", ".join(escape(m.brand_name) for m in mine)
        return None, t(lang, "digest_which_brand", names=names)
    return await stats.brand_by_id(session, mine[0].brand_id), ""


def _period_from_payload(payload: dict[str, Any], timezone: str) -> Period:
    start = datetime.fromisoformat(str(payload["period_start"]))
    end = datetime.fromisoformat(str(payload["period_end"]))
    tz = zone(timezone)
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    return Period(first, max(1, (last - first).days), timezone, "week")


def user_language(message: Message) -> str:
    code = (message.from_user.language_code or "") if message.from_user else ""
    return "en" if code.startswith("en") else "ru"
