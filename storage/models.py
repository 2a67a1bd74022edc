"""SQLAlchemy 2.0 models: the schema every other package reads through repositories.

Portable column types only (BigInteger ids of Telegram users and chats, timezone-aware
timestamps, JSON) so the same models serve SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from common.vocabulary import (
    AlertOn,
    CaseStatus,
    DraftState,
    OutboxStatus,
    SourceHealth,
    SourceOrigin,
)
from storage.types import UTCDateTime

# Most of Otklik's users are Russian businesses: a brand with no zone set lives on Moscow time.
DEFAULT_TIMEZONE = "Europe/Moscow"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Brand(Base):
    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    alert_on: Mapped[str] = mapped_column(String(16), default=AlertOn.NEGATIVE)
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    # Response target: first answer within this many working minutes.
    response_minutes: Mapped[int] = mapped_column(Integer, default=60)
    work_start: Mapped[str] = mapped_column(String(5), default="09:00")
    work_end: Mapped[str] = mapped_column(String(5), default="21:00")
    work_days: Mapped[str] = mapped_column(String(16), default="1234567")
    alerts_paused_until: Mapped[datetime | None]
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    touchpoints: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]

    sources: Mapped[list[Source]] = relationship(back_populates="brand", passive_deletes=True)


class Source(Base):
    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("brand_id", "kind", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(String(2000))
    interval_seconds: Mapped[int] = mapped_column(Integer, default=600)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    origin: Mapped[str] = mapped_column(String(16), default=SourceOrigin.CONFIG)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]

    last_poll_at: Mapped[datetime | None]
    next_poll_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    cursor: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    backfilled: Mapped[bool] = mapped_column(Boolean, default=False)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_item_count: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    health: Mapped[str] = mapped_column(String(20), default=SourceHealth.OK)
    health_notified: Mapped[bool] = mapped_column(Boolean, default=False)

    # Coverage: the review count the site states (latest poll that saw one), the last full walk
    # of the listing, and why the held reviews still fall short of the site's count after it.
    site_total: Mapped[int | None] = mapped_column(Integer)
    site_total_at: Mapped[datetime | None]
    reconciled_at: Mapped[datetime | None]
    coverage_note: Mapped[str | None] = mapped_column(Text)
    # Reviews dated before this were beyond the first poll's backfill: found later, they are
    # history (stored, never alerted); anything newer that turns up late is news.
    history_before: Mapped[datetime | None]

    brand: Mapped[Brand] = relationship(back_populates="sources")


class SourceEvent(Base):
    """Health history of a source: failures, going unhealthy, recovering."""

    __tablename__ = "source_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(20))
    message: Mapped[str | None] = mapped_column(Text)


class Mention(Base):
    __tablename__ = "mentions"
    # dedup_key is the site's id when it has one, else the content hash: one row per review.
    __table_args__ = (
        UniqueConstraint("source_id", "dedup_key"),
        Index("ix_mentions_brand_published", "brand_id", "published_at"),
        Index("ix_mentions_unclassified", "classified_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    dedup_key: Mapped[str] = mapped_column(String(300))
    external_id: Mapped[str | None] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(String(2000))
    author: Mapped[str | None] = mapped_column(String(300))
    rating: Mapped[float | None] = mapped_column(Float)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    business_reply: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime]
    language: Mapped[str | None] = mapped_column(String(8))
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Mentions from a source's first poll are history: stored and counted, never alerted on.
    backfill: Mapped[bool] = mapped_column(Boolean, default=False)
    # The author changed the text or stars (history in mention_revisions).
    edited_at: Mapped[datetime | None]
    # A full listing of a site that lists every review no longer showed it (kept, not deleted).
    removed_at: Mapped[datetime | None]

    sentiment_label: Mapped[str | None] = mapped_column(String(16))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    sentiment_scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    touchpoints: Mapped[list[Any]] = mapped_column(default=list)
    classified_at: Mapped[datetime | None]


class MentionRevision(Base):
    """What a review said before its author edited it, and whether that came after our reply."""

    __tablename__ = "mention_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(
        ForeignKey("mentions.id", ondelete="CASCADE"), index=True
    )
    seen_at: Mapped[datetime] = mapped_column(index=True)
    old_title: Mapped[str | None] = mapped_column(Text)
    old_text: Mapped[str] = mapped_column(Text, default="")
    old_rating: Mapped[float | None] = mapped_column(Float)
    new_rating: Mapped[float | None] = mapped_column(Float)
    old_label: Mapped[str | None] = mapped_column(String(16))
    new_label: Mapped[str | None] = mapped_column(String(16))
    # The business had answered (on the site or through a case) before the edit was seen.
    after_reply: Mapped[bool] = mapped_column(Boolean, default=False)


class LabelCorrection(Base):
    """A person's correction of a mention's sentiment: training data for the next model."""

    __tablename__ = "label_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(
        ForeignKey("mentions.id", ondelete="CASCADE"), index=True
    )
    old_label: Mapped[str | None] = mapped_column(String(16))
    new_label: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_brand_status", "brand_id", "status"),
        Index("ix_cases_brand_created", "brand_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(
        ForeignKey("mentions.id", ondelete="CASCADE"), unique=True
    )
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.NEW)
    assignee_id: Mapped[int | None] = mapped_column(BigInteger)
    due_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    reply_text: Mapped[str | None] = mapped_column(Text)
    reply_state: Mapped[str | None] = mapped_column(String(16))
    reply_published_at: Mapped[datetime | None]
    ignore_reason: Mapped[str | None] = mapped_column(Text)
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class CaseEvent(Base):
    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_name: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class Chat(Base):
    """A Telegram chat the bot talks to, with its own language, time zone and digest slot."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    title: Mapped[str | None] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(2), default="ru")
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    digest_weekday: Mapped[int] = mapped_column(Integer, default=0)
    digest_time: Mapped[str] = mapped_column(String(5), default="10:00")
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    blocked_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class BrandChat(Base):
    """Which chats receive a brand's alerts and digests."""

    __tablename__ = "brand_chats"
    __table_args__ = (UniqueConstraint("brand_id", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("brand_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    used_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """A message to deliver. Queued in the transaction that decided it; sent at least once,
    recorded as sent exactly once (dedup_key makes queueing idempotent)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    mention_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_message_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class HostPace(Base):
    """When the next request to a host may start, shared by every worker of a deployment so
    per-site politeness holds for all of them together (PostgreSQL only: SQLite is one
    process, which paces in memory)."""

    __tablename__ = "host_pace"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    next_start_at: Mapped[datetime]


class DigestRun(Base):
    """One digest per chat, brand and period: the record that stops a second send."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("chat_id", "brand_id", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    created_at: Mapped[datetime]


class ReplySettings(Base):
    """How a brand answers reviews (the `[brands.replies]` table of the config)."""

    __tablename__ = "reply_settings"

    brand_id: Mapped[int] = mapped_column(
        ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    # A PR member's reply waits for an owner's approval before it is published.
    approval: Mapped[bool] = mapped_column(Boolean, default=False)
    thanks: Mapped[bool] = mapped_column(Boolean, default=False)
    thanks_delay_minutes: Mapped[int] = mapped_column(Integer, default=30)
    # Praise first seen before thanks were switched on is history: never thanked.
    thanks_since: Mapped[datetime | None]
    signature: Mapped[str | None] = mapped_column(String(300))
    tone_notes: Mapped[str] = mapped_column(Text, default="")
    rules: Mapped[list[Any]] = mapped_column(default=list)
    allow_offers: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime]


class ReplyTemplate(Base):
    """An owner's variants for one template key in one language, replacing the shipped ones."""

    __tablename__ = "reply_templates"
    __table_args__ = (UniqueConstraint("brand_id", "language", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(2))
    key: Mapped[str] = mapped_column(String(64))
    variants: Mapped[list[Any]] = mapped_column(default=list)
    # "config" follows the TOML file; "chat" was set with /template.
    origin: Mapped[str] = mapped_column(String(16), default=SourceOrigin.CONFIG)
    updated_by: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]


class ReplyDraft(Base):
    """A reply draft shown to the team (for a case, or a thank-you for praise)."""

    __tablename__ = "reply_drafts"
    __table_args__ = (Index("ix_reply_drafts_brand_day", "brand_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    # The brand's local date: no two drafts of a brand read the same on one day.
    day: Mapped[str] = mapped_column(String(10))
    fingerprint: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    # template | llm
    origin: Mapped[str] = mapped_column(String(16))
    # why the draft is not what was asked for (replies.Fallback), with its detail
    fallback: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2))
    # shown | sent | discarded | replaced
    state: Mapped[str] = mapped_column(String(16), default=DraftState.SHOWN)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class PraiseReply(Base):
    """The thank-you for one positive review: published, or offered to the team to post."""

    __tablename__ = "praise_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(
        ForeignKey("mentions.id", ondelete="CASCADE"), unique=True
    )
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    # Set in the transaction that claims the review, so two processes never thank twice.
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("reply_drafts.id", ondelete="CASCADE"))
    # publishing | published | failed (publish by hand) | suggested | posted | skipped
    state: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    done_by: Mapped[int | None] = mapped_column(BigInteger)
    done_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
