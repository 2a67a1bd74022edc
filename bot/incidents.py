"""A spike incident in the chat: one message per chat, edited as the wave grows."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.alerts import quiet_seconds_left
from bot.errors import DeliveryError, RetryLater
from bot.render import esc, link, local_time, source_name
from bot.texts import t
from reports.i18n import duration, touchpoint_name
from reports.touchpoints import short_quote
from storage.records import OutboxRecord
from storage.repositories import brands_admin, chats, incidents
from storage.repositories.incidents import IncidentRecord

log = logging.getLogger(__name__)


def incident_text(lang: str, incident: IncidentRecord) -> str:
    signals = incident.details.get("signals", {})
    # Signals are read from the wave's latest reviews (all of them in any wave below 300).
    sample = int(signals.get("count", incident.negatives))
    brand = esc(incident.brand_name)
    if incident.branch_name:
        brand += f" · 📍 {esc(incident.branch_name)}"
    span = duration(max(1, (incident.last_at - incident.started_at).total_seconds() / 60), lang)
    expected = f"{incident.expected:.1f}".replace(".", "," if lang == "ru" else ".")
    lines = [
        f"<b>{t(lang, 'incident_title', brand=brand)}</b>",
        t(lang, "incident_count", count=incident.negatives, span=span, expected=expected),
        t(
            lang,
            "incident_since",
            start=local_time(incident.started_at, incident.timezone),
            last=local_time(incident.last_at, incident.timezone),
        ),
    ]
    sources = signals.get("sources") or {}
    if sources:
        named = ", ".join(f"{esc(source_name(kind))} {n}" for kind, n in sources.items())
        lines.append(t(lang, "incident_sources", sources=named))
    topics = signals.get("touchpoints") or {}
    if topics:
        named = ", ".join(f"{esc(touchpoint_name(tag, lang))} {n}" for tag, n in topics.items())
        lines.append(t(lang, "incident_topics", topics=named))
    suspicious = [
        t(
            lang,
            f"incident_signal_{name}",
            n=signals.get(name, 0),
            count=sample,
            minutes=signals.get("minutes", 0),
        )
        for name in incident.details.get("suspicious", [])
    ]
    if suspicious:
        lines.append("⚠️ " + t(lang, "incident_signals", signals=", ".join(suspicious)))
    trigger = incident.details.get("trigger")
    if trigger:
        lines.append(
            t(
                lang,
                "incident_trigger",
                link=link(trigger.get("url"), source_name(str(trigger.get("kind")))),
                at=local_time(datetime.fromisoformat(str(trigger["at"])), incident.timezone),
                text=esc(short_quote(str(trigger.get("text") or ""), 160)),
            )
        )
    lines.append(f"<i>{t(lang, 'incident_footer')}</i>")
    return "\n".join(lines)


async def deliver_incident(
    bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    message: OutboxRecord,
    now: datetime,
) -> int | None:
    """Send the incident's message, or edit the one already in the chat to its current state.
    Quiet hours hold it back like an alert; a pause does not: a wave is what a pause misses."""
    incident_id = int(message.payload.get("incident_id") or 0)
    async with sessionmaker() as session:
        incident = await incidents.get_incident(session, incident_id)
        lang = await chats.language(session, message.chat_id)
        shown = await incidents.sent_incident_message(session, incident_id, message.chat_id)
        brand = await brands_admin.brand_settings(session, message.brand_id or 0)
    if incident is None:
        raise DeliveryError(f"{message.dedup_key}: incident {incident_id} is gone")
    wait = quiet_seconds_left(brand, now) if brand is not None else None
    if wait is not None:
        raise RetryLater(f"quiet hours of {incident.brand_name}", retry_after=wait)
    text = incident_text(lang, incident)
    if shown is not None:
        try:
            await bot.edit_message_text(
                text=text, chat_id=message.chat_id, message_id=shown, disable_web_page_preview=True
            )
            return shown
        except TelegramBadRequest as exc:
            if "not modified" in exc.message.lower():
                return shown  # an earlier edit already shows this state
            # Deleted by someone, or too old to edit: the chat still gets the news.
            log.info("incident %s message %s not edited: %s", incident_id, shown, exc.message)
    sent = await bot.send_message(message.chat_id, text, disable_web_page_preview=True)
    return sent.message_id
