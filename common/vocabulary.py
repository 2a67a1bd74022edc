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
    DRAFT = "draft"
    DRAFT_REGENERATE = "draft_regenerate"
    DRAFT_EDIT = "draft_edit"
    DRAFT_DISCARD = "draft_discard"
    SUBMIT_REPLY = "submit_reply"  # a reply waits for an owner's approval
    APPROVE_REPLY = "approve_reply"
    REJECT_REPLY = "reject_reply"
    # Written by a poll, not a person: the review changed on the site.
    EDITED = "edited"
    REPLY_SEEN = "reply_seen"
    REMOVED = "removed"


class ReplyState(StrEnum):
    """Where a case's written reply is: only here, on the platform, or refused by it; waiting
    for an owner's approval, or sent back by one."""

    LOCAL = "local"
    PUBLISHED = "published"
    FAILED = "failed"
    PENDING = "pending"
    REJECTED = "rejected"


class DraftState(StrEnum):
    """What became of a reply draft shown to the team."""

    SHOWN = "shown"  # on screen, its buttons act
    SENT = "sent"
    EDITED = "edited"  # the member sends a corrected text instead
    DISCARDED = "discarded"
    REPLACED = "replaced"  # a newer draft of the case took its place


class PraiseState(StrEnum):
    """A thank-you for a positive review."""

    PUBLISHING = "publishing"  # claimed; the platform's API is being asked
    PUBLISHED = "published"
    FAILED = "failed"  # the API refused: offered to the team to post by hand
    SUGGESTED = "suggested"  # no API: offered to the team to post by hand
    POSTED = "posted"  # a member posted it by hand
    SKIPPED = "skipped"  # a member chose not to reply


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
    """An entry of a source's health history: a failed poll, a change of health, a recovery,
    and what a successful poll had to say."""

    ERROR = "error"
    UNHEALTHY = "unhealthy"
    BLOCKED = "blocked"
    PARSER_BROKEN = "parser_broken"
    MISCONFIGURED = "misconfigured"
    RECOVERED = "recovered"
    SKIPPED = "skipped"  # malformed entries left out of an otherwise good poll
    PATH = "path"  # how the reviews were reached changed (an API, a fallback page)
    REJECTED = "rejected"  # a poll stored its items but the database refused some


# The events the digest counts as a source's failures.
FAILURE_EVENTS = frozenset(
    {
        SourceEventKind.ERROR,
        SourceEventKind.UNHEALTHY,
        SourceEventKind.BLOCKED,
        SourceEventKind.PARSER_BROKEN,
        SourceEventKind.MISCONFIGURED,
    }
)


class SourceOrigin(StrEnum):
    """Where a source, a reply template or a chat's link to a brand was set."""

    CONFIG = "config"  # the brands file; it comes back after a restart, goes when unlisted
    CHAT = "chat"  # added with /add_source, /template or /subscribe
    IMPORT = "import"  # `otklik import branches.csv`


class AuditAction(StrEnum):
    """A removal kept in the audit: someone lost access, or a chat lost a brand's messages."""

    MEMBER_REMOVED = "member_removed"
    CHAT_UNSUBSCRIBED = "chat_unsubscribed"


class OutboxKind(StrEnum):
    ALERT = "alert"
    DIGEST = "digest"
    HEALTH = "health"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    INCIDENT = "incident"  # a spike of negatives: sent once, then edited as it grows
    APPROVAL = "approval"  # a reply waiting for an owner's approval
    REPLY_REJECTED = "reply_rejected"  # an owner sent a reply back to its author
    THANKS = "thanks"  # a thank-you for praise, published or to post by hand
    REVIEW_UPDATE = "review_update"  # an alerted review changed on the site
    BACKLOG = "backlog"  # a source's first poll: what it read, the unanswered negatives
    COVERAGE = "coverage"  # held reviews still short of the site's count after a full walk


class CoverageGap(StrEnum):
    """Why held reviews fall short of the site's stated count after a full walk."""

    LISTING_CUT = "listing_cut"  # the listing is longer than the walk reads
    NOT_LISTED = "not_listed"  # the site counts reviews it does not list


class ReviewChange(StrEnum):
    """What happened to a review already stored (the `change` fact of an update notice)."""

    EDITED = "edited"
    RATING_RAISED = "rating_raised"
    REMOVED = "removed"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # retries spent or refused for good
    SKIPPED = "skipped"  # not to be sent (alerts paused, chat gone)
