"""Closed vocabularies, each defined once: the values stored in the database, queued in the
outbox and shown by the bot and the reports. A StrEnum member is its string, so rows, JSON and
comparisons with stored text keep working; only the migrations spell these values out."""

from __future__ import annotations

from enum import StrEnum


class Label(StrEnum):
    """A mention's sentiment, and a touchpoint's polarity."""

    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


class AlertOn(StrEnum):
    """Which new mentions of a brand open a case and an alert."""

    NEGATIVE = "negative"
    ALL = "all"
    NONE = "none"


class CaseStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    REPLIED = "replied"
    RESOLVED = "resolved"
    IGNORED = "ignored"


# Waiting for someone to act; open also counts a reply written but not yet closed.
AWAITING_STATUSES = (CaseStatus.NEW, CaseStatus.IN_PROGRESS)
OPEN_STATUSES = (*AWAITING_STATUSES, CaseStatus.REPLIED)
CLOSED_STATUSES = (CaseStatus.RESOLVED, CaseStatus.IGNORED)


class CaseEventKind(StrEnum):
    """An entry of a case's history (and the bot command or button that makes most of them)."""

    OPENED = "opened"
    TAKE = "take"
    ASSIGN = "assign"
    REPLY = "reply"
    PUBLISH = "publish"
    PUBLISH_FAILED = "publish_failed"
    CONFIRM_REPLY = "confirm_reply"
    RESOLVE = "resolve"
    IGNORE = "ignore"
    REOPEN = "reopen"


class ReplyState(StrEnum):
    """Where a case's written reply is: only here, on the platform, or refused by it."""

    LOCAL = "local"
    PUBLISHED = "published"
    FAILED = "failed"


class Role(StrEnum):
    """A team member's rights on a brand, weakest last."""

    OWNER = "owner"
    PR = "pr"
    VIEWER = "viewer"


class SourceHealth(StrEnum):
    OK = "ok"
    UNHEALTHY = "unhealthy"  # unreachable or answering errors
    BLOCKED = "blocked"  # an anti-bot page instead of content
    PARSER_BROKEN = "parser_broken"  # the page no longer has the structure the parser knows
    MISCONFIGURED = "misconfigured"  # the URL or options cannot work


class SourceEventKind(StrEnum):
    """An entry of a source's health history: a failed poll, a change of health, a recovery."""

    ERROR = "error"
    UNHEALTHY = "unhealthy"
    BLOCKED = "blocked"
    PARSER_BROKEN = "parser_broken"
    MISCONFIGURED = "misconfigured"
    RECOVERED = "recovered"


class SourceOrigin(StrEnum):
    CONFIG = "config"  # the brands file; it comes back after a restart
    CHAT = "chat"  # added with /add_source


class OutboxKind(StrEnum):
    ALERT = "alert"
    DIGEST = "digest"
    HEALTH = "health"
    REMINDER = "reminder"
    ESCALATION = "escalation"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # retries spent or refused for good
    SKIPPED = "skipped"  # not to be sent (alerts paused, chat gone)
