"""Plain records that repositories return; ORM rows never leave a session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from common.vocabulary import SourceHealth


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """A message waiting for delivery: facts only, the bot renders it in the chat's language at
    delivery. By kind: alert and reminder / escalation (case_id; alert also mention_id), health
    (payload: a HealthNotice), digest (payload: brand_id, period_start, period_end as ISO
    strings)."""

    id: int
    dedup_key: str
    chat_id: int
    brand_id: int | None
    kind: str
    mention_id: int | None
    case_id: int | None
    payload: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SourceInput:
    kind: str
    url: str
    interval_seconds: int
    options: dict[str, str] = field(default_factory=dict)
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class BrandInput:
    """A brand as the config file describes it; synced into the database at start."""

    name: str
    aliases: tuple[str, ...]
    owners: tuple[int, ...]
    alert_on: str
    timezone: str
    response_minutes: int
    work_start: str
    work_end: str
    work_days: str
    touchpoints: dict[str, list[str]]
    sources: tuple[SourceInput, ...]


@dataclass(frozen=True, slots=True)
class BrandRecord:
    id: int
    name: str
    aliases: tuple[str, ...]
    alert_on: str
    timezone: str
    response_minutes: int
    work_start: str
    work_end: str
    work_days: str
    alerts_paused_until: datetime | None
    quiet_start: str | None
    quiet_end: str | None
    touchpoints: dict[str, list[str]]


@dataclass(frozen=True, slots=True)
class SourceRecord:
    id: int
    brand_id: int
    brand_name: str
    aliases: tuple[str, ...]
    kind: str
    url: str
    interval_seconds: int
    options: dict[str, str]
    enabled: bool
    origin: str
    cursor: str | None
    etag: str | None
    last_modified: str | None
    backfilled: bool
    next_poll_at: datetime | None
    last_poll_at: datetime | None
    last_success_at: datetime | None
    consecutive_failures: int
    last_item_count: int | None
    last_error: str | None
    health: str
    health_notified: bool
    site_total: int | None = None
    site_total_at: datetime | None = None
    reconciled_at: datetime | None = None
    coverage_note: str | None = None
    history_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class NewMention:
    external_id: str | None
    url: str | None
    text: str
    author: str | None = None
    rating: float | None = None
    title: str | None = None
    business_reply: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ClassificationInput:
    label: str
    score: float
    scores: dict[str, float]
    touchpoints: list[dict[str, str]]
    needs_review: bool = False


@dataclass(frozen=True, slots=True)
class MentionRecord:
    id: int
    source_id: int
    brand_id: int
    brand_name: str
    source_kind: str
    external_id: str | None
    url: str | None
    author: str | None
    rating: float | None
    title: str | None
    text: str
    business_reply: str | None
    published_at: datetime | None
    first_seen_at: datetime
    backfill: bool
    sentiment_label: str | None
    sentiment_score: float | None
    needs_review: bool
    touchpoints: list[dict[str, str]]
    edited_at: datetime | None = None
    removed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StoredMention:
    """What the storage holds of a review the site lists again: enough to see what changed."""

    id: int
    dedup_key: str
    title: str | None
    text: str
    rating: float | None
    business_reply: str | None
    sentiment_label: str | None
    backfill: bool
    removed_at: datetime | None


@dataclass(frozen=True, slots=True)
class HealthNotice:
    """What a source-health message says: the source, its new state and, when it went down,
    how many polls failed in a row and the last error."""

    source_id: int
    state: SourceHealth
    failures: int = 0
    error: str = ""

    def to_payload(self) -> dict[str, Any]:
        return {
            "source_id": self.source_id,
            "state": str(self.state),
            "failures": self.failures,
            "error": self.error,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> HealthNotice:
        return cls(
            source_id=int(payload["source_id"]),
            state=SourceHealth(payload["state"]),
            failures=int(payload.get("failures", 0)),
            error=str(payload.get("error", "")),
        )
