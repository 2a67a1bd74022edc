"""Renders the outbox's notices from the facts queued with them, in the chat's language, when
they are delivered: source health (a HealthNotice), deadline reminders and escalations (the
case). Alerts and digests have their own renderers (bot.alerts, bot.digest)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import DeliveryError
from bot.render import esc, local_time, source_name
from bot.texts import t
from common.vocabulary import CoverageGap, OutboxKind, SourceHealth
from storage.records import HealthNotice, OutboxRecord
from storage.repositories import brands_admin
from storage.repositories import cases as cases_repo
from storage.repositories.cases import CaseRecord


async def render_notice(session: AsyncSession, message: OutboxRecord, lang: str) -> str:
    if message.kind == OutboxKind.HEALTH:
        return await _health(session, HealthNotice.from_payload(message.payload), lang)
    if message.kind == OutboxKind.COVERAGE:
        return await _coverage(session, message.payload, lang)
    if message.kind == OutboxKind.BACKLOG:
        return await _backlog(session, message.payload, lang)
    case = await cases_repo.get_case(session, message.case_id or 0)
    if case is None:
        raise DeliveryError(f"{message.kind} {message.dedup_key}: case {message.case_id} is gone")
    if message.kind == OutboxKind.REMINDER:
        return _reminder(case, lang, int(message.payload.get("minutes_left", 1)))
    if message.kind == OutboxKind.ESCALATION:
        return _escalation(case, lang, await brands_admin.brand_timezone(session, case.brand_id))
    raise DeliveryError(f"unknown outbox kind {message.kind!r}")


async def _health(session: AsyncSession, notice: HealthNotice, lang: str) -> str:
    source = await brands_admin.source(session, notice.source_id)
    if source is None:
        raise DeliveryError(f"health notice: source {notice.source_id} is gone")
    where = f"<b>{esc(source.kind)}</b> {esc(source.url)}"
    brand = esc(source.brand_name)
    if notice.rejected:
        return t(
            lang,
            "source_items_rejected",
            where=where,
            brand=brand,
            count=len(notice.rejected),
            ids=esc(", ".join(notice.rejected)),
            reason=esc(notice.error),
        )
    if notice.state == SourceHealth.OK:
        return t(lang, "source_up", where=where, brand=brand)
    return t(
        lang,
        "source_down",
        where=where,
        brand=brand,
        reason=t(lang, f"source_down_{notice.state}"),
        failures=notice.failures,
        detail=esc(notice.error[:500]),
    )


async def _coverage(session: AsyncSession, facts: dict[str, Any], lang: str) -> str:
    source = await brands_admin.source(session, int(facts["source_id"]))
    if source is None:
        raise DeliveryError(f"coverage notice: source {facts['source_id']} is gone")
    return t(
        lang,
        "coverage_gap",
        where=f"<b>{esc(source.kind)}</b> {esc(source.url)}",
        brand=esc(source.brand_name),
        site=facts.get("site"),
        held=facts.get("held"),
        reason=t(lang, f"coverage_reason_{CoverageGap(facts['gap'])}"),
    )


async def _backlog(session: AsyncSession, facts: dict[str, Any], lang: str) -> str:
    """ "Source added: N reviews read over D days, K negative without an answer — /backlog"."""
    source = await brands_admin.source(session, int(facts["source_id"]))
    if source is None:
        raise DeliveryError(f"backlog note: source {facts['source_id']} is gone")
    return t(
        lang,
        "backlog_connected",
        kind=esc(source_name(source.kind)),
        brand=esc(source.brand_name),
        url=esc(source.url),
        days=int(facts.get("days", 0)),
        read=int(facts.get("read", 0)),
        negative=int(facts.get("negative_open", 0)),
    )


def _reminder(case: CaseRecord, lang: str, left: int) -> str:
    """`left`: minutes to the deadline when the reminder was decided."""
    return t(
        lang, "reminder", id=case.id, brand=esc(case.brand_name), left=left, link=f"/case {case.id}"
    )


def _escalation(case: CaseRecord, lang: str, timezone: str) -> str:
    who = (case.assignee_name or str(case.assignee_id)) if case.assignee_id else None
    body = t(
        lang,
        "escalation",
        id=case.id,
        brand=esc(case.brand_name),
        opened=local_time(case.created_at, timezone),
        who=esc(who or t(lang, "nobody")),
    )
    return f"{body}\n/case {case.id}"
