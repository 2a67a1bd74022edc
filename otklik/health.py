"""Source health: after N failed polls in a row a source is unhealthy, and the owner is told
once; when it works again, once more. A misconfigured source is reported at its first failure:
waiting does not cure it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from scrapers.errors import AntiBotPage, ParseError, SourceConfigError, SourceError
from storage.records import SourceRecord
from storage.repositories import sources as sources_repo
from storage.repositories.brands import brand_chat_ids
from storage.repositories.outbox import enqueue

_STATE_OF = (
    (SourceConfigError, "misconfigured"),
    (AntiBotPage, "blocked"),
    (ParseError, "parser_broken"),
)

_REASON_RU = {
    "misconfigured": "в настройках источника ошибка, исправьте ссылку или параметры",
    "blocked": "сайт отвечает страницей защиты от ботов (капча)",
    "parser_broken": "страница изменилась, разборщик её не понимает",
    "unhealthy": "сайт недоступен или отвечает ошибкой",
}
_REASON_EN = {
    "misconfigured": "its configuration is wrong; fix the URL or the options",
    "blocked": "the site answers with an anti-bot (captcha) page",
    "parser_broken": "the page layout changed and the parser does not understand it",
    "unhealthy": "the site is unreachable or answers with an error",
}


def health_of(error: SourceError) -> str:
    for kind, state in _STATE_OF:
        if isinstance(error, kind):
            return state
    return "unhealthy"


async def record_failure(
    session: AsyncSession,
    source: SourceRecord,
    error: SourceError,
    *,
    failures: int,
    threshold: int,
    now: datetime,
) -> str | None:
    """Mark the source unhealthy once it failed `threshold` times in a row; returns the new
    health when it changed."""
    state = health_of(error)
    if failures < threshold and state != "misconfigured":
        return None
    if source.health == state and source.health_notified:
        return None
    await sources_repo.set_health(
        session, source.id, health=state, notified=True, now=now, note=str(error)
    )
    where = f"<b>{escape(source.kind)}</b> {escape(source.url)}"
    brand = escape(source.brand_name)
    detail = escape(str(error)[:500])
    await _tell_owners(
        session,
        source,
        key=f"health:{source.id}:{state}:{now.isoformat()}",
        text_ru=(
            f"⚠️ Источник {where} бренда «{brand}» не работает: {_REASON_RU[state]}.\n"
            f"Ошибок подряд: {failures}. Последняя: <code>{detail}</code>"
        ),
        text_en=(
            f"⚠️ Source {where} of “{brand}” is down: {_REASON_EN[state]}.\n"
            f"Failures in a row: {failures}. Last: <code>{detail}</code>"
        ),
        now=now,
    )
    return state


async def record_recovery(session: AsyncSession, source: SourceRecord, *, now: datetime) -> bool:
    if source.health == "ok":
        return False
    await sources_repo.set_health(
        session, source.id, health="ok", notified=False, now=now, note="recovered"
    )
    if source.health_notified:
        where = f"<b>{escape(source.kind)}</b> {escape(source.url)}"
        brand = escape(source.brand_name)
        await _tell_owners(
            session,
            source,
            key=f"health:{source.id}:ok:{now.isoformat()}",
            text_ru=f"✅ Источник {where} бренда «{brand}» снова работает.",
            text_en=f"✅ Source {where} of “{brand}” works again.",
            now=now,
        )
    return True


async def record_rejected(
    session: AsyncSession,
    source: SourceRecord,
    rejected: Sequence[tuple[str, str]],
    *,
    now: datetime,
) -> None:
    """Items the database refused were left out of an otherwise stored poll: the owner is told
    which, once per item, and `otklik sources` shows it as the source's last error."""
    note = "; ".join(f"{key[:80]}: {reason}" for key, reason in rejected)
    note = f"{len(rejected)} item(s) could not be stored: {note}"[:2000]
    await sources_repo.note_rejected(session, source.id, now=now, note=note)
    where = f"<b>{escape(source.kind)}</b> {escape(source.url)}"
    brand = escape(source.brand_name)
    ids = escape(", ".join(key[:80] for key, _ in rejected[:5]))
    reason = escape(rejected[0][1][:300])
    await _tell_owners(
        session,
        source,
        key=f"rejected:{source.id}:{hashlib.sha256(note.encode()).hexdigest()[:32]}",
        text_ru=(
            f"⚠️ Источник {where} бренда «{brand}»: не удалось сохранить {len(rejected)} "
            f"отз. ({ids}), остальные сохранены. Причина: <code>{reason}</code>"
        ),
        text_en=(
            f"⚠️ Source {where} of “{brand}”: {len(rejected)} item(s) could not be stored "
            f"({ids}); the others were. Reason: <code>{reason}</code>"
        ),
        now=now,
    )


async def _tell_owners(
    session: AsyncSession,
    source: SourceRecord,
    *,
    key: str,
    text_ru: str,
    text_en: str,
    now: datetime,
) -> None:
    for chat_id in await brand_chat_ids(session, source.brand_id):
        await enqueue(
            session,
            dedup_key=f"{key}:{chat_id}",
            chat_id=chat_id,
            kind="health",
            brand_id=source.brand_id,
            payload={"text": text_ru, "text_en": text_en},
            now=now,
        )
