"""Spike incidents, checked in the transaction that stores a poll's reviews: a wave opens one
incident per scope (the brand, and the branch the source belongs to) and each further
negative grows it; every change queues an edit of the same message in each chat."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import Label
from otklik.spikes import SpikeRule, WaveReview, looks_like_bombing, wave_signals
from storage.repositories import incidents
from storage.repositories.incidents import NegativeRow

# A post or news item this long before a wave may have set it off.
TRIGGER_LOOKBACK = timedelta(hours=48)
# Signals are read from the wave's latest reviews: pairwise text comparison must stay cheap
# when a wave runs into thousands.
SIGNAL_SAMPLE = 300


async def check_spikes(
    session: AsyncSession, source_id: int, now: datetime, rule: SpikeRule | None = None
) -> int:
    """Check the source's brand and branch; returns how many incidents opened or grew."""
    rule = rule or SpikeRule()
    scope = await incidents.source_scope(session, source_id)
    if scope.competitor:
        return 0
    zone = ZoneInfo(scope.timezone)
    touched = 0
    for branch_id in dict.fromkeys([None, scope.branch_id]):
        touched += await _check_scope(session, scope.brand_id, branch_id, zone, now, rule)
    return touched


async def _check_scope(
    session: AsyncSession,
    brand_id: int,
    branch_id: int | None,
    zone: ZoneInfo,
    now: datetime,
    rule: SpikeRule,
) -> int:
    window_start = now - rule.window
    active = await incidents.active_incident(session, brand_id, branch_id, window_start)
    if active is None:
        rows = await incidents.negatives_since(session, brand_id, branch_id, window_start)
        wave = [r for r in rows if not r.backfill]
        if len(wave) < rule.min_count:
            return 0  # the usual case: no need to read the baseline
        history = await incidents.negative_times(
            session,
            brand_id,
            branch_id,
            window_start - timedelta(days=rule.baseline_days),
            window_start,
        )
        bombing = looks_like_bombing([r.text for r in wave[-SIGNAL_SAMPLE:]])
        expected, spike = rule.evaluate(history, len(wave), now, zone, bombing=bombing)
        if not spike:
            return 0
    else:
        rows = await incidents.negatives_since(session, brand_id, branch_id, active.started_at)
        wave = [r for r in rows if not r.backfill]
        if len(wave) <= active.negatives:
            return 0
        expected = active.expected
    started = wave[0].at
    sample = wave[-SIGNAL_SAMPLE:]
    authors = sorted({r.author.strip() for r in sample if r.author and r.author.strip()})
    known = await incidents.known_authors(session, brand_id, authors, started)
    signals = wave_signals([_review(r) for r in sample], known)
    trigger = await incidents.trigger_post(session, brand_id, started - TRIGGER_LOOKBACK, started)
    details: dict[str, Any] = {
        "signals": asdict(signals),
        "suspicious": signals.suspicious,
        "trigger": None
        if trigger is None
        else {
            "url": trigger.url,
            "kind": trigger.source_kind,
            "at": trigger.at.isoformat(),
            "text": trigger.text[:300],
        },
    }
    incident = await incidents.save_incident(
        session,
        active,
        brand_id=brand_id,
        branch_id=branch_id,
        started_at=started,
        last_at=wave[-1].at,
        negatives=len(wave),
        expected=round(expected, 3),
        details=details,
        now=now,
    )
    await incidents.queue_incident(session, incident, now)
    return 1


def _review(row: NegativeRow) -> WaveReview:
    return WaveReview(
        id=row.id,
        at=row.at,
        author=row.author,
        text=row.text,
        source_kind=row.source_kind,
        touchpoints=tuple(_criticised(row.touchpoints)),
    )


def _criticised(touchpoints: list[Any]) -> list[str]:
    """Tags the negative review criticises; a bare tag takes the review's (negative) tone."""
    tags = []
    for item in touchpoints:
        if isinstance(item, str):
            tags.append(item)
        elif (
            isinstance(item, dict) and str(item.get("polarity") or Label.NEGATIVE) == Label.NEGATIVE
        ):
            tags.append(str(item.get("tag")))
    return tags
