"""Source health: after N failed polls in a row a source is unhealthy, and the owner is told
once; when it works again, once more. A misconfigured source is reported at its first failure:
waiting does not cure it."""

from __future__ import annotations

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


# Why held reviews fall short of the site's count after a full walk (sources.coverage_note).
COVERAGE_LISTING_CUT = "listing_cut"
COVERAGE_NOT_LISTED = "not_listed"
COVERAGE_REASON_RU = {
    COVERAGE_LISTING_CUT: "список длиннее, чем читает полная сверка (OTKLIK_RECONCILE_PAGES)",
    COVERAGE_NOT_LISTED: "сайт считает отзывы, которых не показывает в списке (скрытые или оценки без текста)",
}
COVERAGE_REASON_EN = {
    COVERAGE_LISTING_CUT: "the listing is longer than the full check reads (OTKLIK_RECONCILE_PAGES)",
    COVERAGE_NOT_LISTED: "the site counts reviews it does not list (hidden, or ratings without text)",
}


async def record_coverage_gap(
    session: AsyncSession,
    source: SourceRecord,
    *,
    note: str | None,
    before: str | None,
    site_total: int | None,
    held: int,
    now: datetime,
) -> bool:
    """After a full walk: a gap that is still there is a warning with its reason, told once
    (again only if the reason changes). Returns True when the owners were told now."""
    if note is None or note == before:
        return False
    where = f"<b>{escape(source.kind)}</b> {escape(source.url)}"
    brand = escape(source.brand_name)
    await _tell_owners(
        session,
        source,
        key=f"coverage:{source.id}:{note}:{now.isoformat()}",
        text_ru=(
            f"⚠️ Источник {where} бренда «{brand}»: на сайте {site_total}, у нас {held}. "
            f"Причина: {COVERAGE_REASON_RU[note]}."
        ),
        text_en=(
            f"⚠️ Source {where} of “{brand}”: site {site_total}, held {held}. "
            f"Reason: {COVERAGE_REASON_EN[note]}."
        ),
        now=now,
    )
    return True
