"""What the PR team can do to a case, independent of how they asked (command or button).

Each action checks the transition, writes the change and its case event in the caller's
session, and returns the new state. Refusals are CaseRefused with a text key for the chat.

First response (cases.first_response_at, the figure deadlines and /stats measure) is the moment
the customer can see an answer: the reply published by the bot, or confirmed by the member as
posted by hand. Taking a case or drafting a reply does not stop the clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import (
    CLOSED_STATUSES,
    CaseEventKind,
    CaseStatus,
    OutboxKind,
    ReplyState,
    Role,
)
from scrapers.publish import PublishedReply, ReplyTarget, reply_link
from storage.records import MentionRecord
from storage.repositories import cases as cases_repo
from storage.repositories import members
from storage.repositories import mentions as mentions_repo
from storage.repositories import replies as replies_repo
from storage.repositories.cases import CaseRecord
from storage.repositories.outbox import enqueue

log = logging.getLogger(__name__)


class Publisher(Protocol):
    """Posts a reply on the review's platform (scrapers.publish.ReplyPublisher in the service)."""

    def can_publish(self, kind: str) -> bool: ...

    async def publish(self, target: ReplyTarget, text: str) -> PublishedReply: ...


def reply_target(mention: MentionRecord) -> ReplyTarget:
    """Where a reply to this review goes on its platform."""
    return ReplyTarget(mention.source_kind, mention.url or "", mention.external_id or "", {})


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    name: str


class CaseRefused(Exception):
    """The action does not apply to the case as it is; key/kwargs name the text to show."""

    def __init__(self, key: str, **kwargs: Any) -> None:
        super().__init__(key)
        self.key = key
        self.kwargs = kwargs


@dataclass(frozen=True, slots=True)
class ReplyOutcome:
    """Where the reply went (pending: waits for an owner's approval); link is where to post
    by hand (local)."""

    case: CaseRecord
    state: ReplyState
    link: str | None = None
    error: str | None = None


async def _change(
    session: AsyncSession,
    case: CaseRecord,
    actor: Actor,
    now: datetime,
    action: CaseEventKind,
    detail: str | None = None,
    **values: Any,
) -> CaseRecord:
    return await cases_repo.change_case(
        session,
        case.id,
        now=now,
        action=action,
        actor_id=actor.user_id,
        actor_name=actor.name,
        detail=detail,
        **values,
    )


def require_open(case: CaseRecord) -> None:
    """Refuses work on a closed case; checked before anything is stored."""
    if case.status in CLOSED_STATUSES:
        raise CaseRefused("case_closed", id=case.id)


async def take(session: AsyncSession, case: CaseRecord, actor: Actor, now: datetime) -> CaseRecord:
    require_open(case)
    if case.assignee_id == actor.user_id and case.status != CaseStatus.NEW:
        raise CaseRefused("already", id=case.id)
    status = CaseStatus.IN_PROGRESS if case.status == CaseStatus.NEW else case.status
    return await _change(
        session, case, actor, now, CaseEventKind.TAKE, status=status, assignee_id=actor.user_id
    )


async def assign(
    session: AsyncSession, case: CaseRecord, actor: Actor, user_id: int, now: datetime
) -> CaseRecord:
    require_open(case)
    team = {m.user_id: m for m in await members.members_of(session, case.brand_id)}
    member = team.get(user_id)
    if member is None or member.role == Role.VIEWER:
        raise CaseRefused("not_a_member", user=user_id, brand=case.brand_name)
    status = CaseStatus.IN_PROGRESS if case.status == CaseStatus.NEW else case.status
    return await _change(
        session,
        case,
        actor,
        now,
        CaseEventKind.ASSIGN,
        detail=member.name or str(user_id),
        status=status,
        assignee_id=user_id,
    )


async def write_reply(
    session: AsyncSession,
    case: CaseRecord,
    actor: Actor,
    text: str,
    now: datetime,
    *,
    publisher: Publisher | None,
    by_owner: bool,
) -> ReplyOutcome:
    """Store the reply, then publish it where the platform allows; else hand out the link.
    Where the brand wants approval, a reply not written by an owner waits for one instead."""
    require_open(case)
    values: dict[str, Any] = {"reply_text": text, "reply_state": ReplyState.LOCAL}
    if case.status == CaseStatus.NEW:
        values["status"] = CaseStatus.IN_PROGRESS
    if case.assignee_id is None:
        values["assignee_id"] = actor.user_id
    settings = await replies_repo.reply_settings(session, case.brand_id)
    # A brand without an owner has nobody to approve: its replies go out as written.
    owners = await members.owners_of(session, case.brand_id) if settings.approval else []
    if owners and not by_owner:
        values["reply_state"] = ReplyState.PENDING
        case = await _change(
            session, case, actor, now, CaseEventKind.SUBMIT_REPLY, detail=text, **values
        )
        for owner in owners:
            await enqueue(
                session,
                dedup_key=f"approval:{case.id}:{now.isoformat()}:{owner}",
                chat_id=owner,
                kind=OutboxKind.APPROVAL,
                now=now,
                brand_id=case.brand_id,
                mention_id=case.mention_id,
                case_id=case.id,
            )
        return ReplyOutcome(case, ReplyState.PENDING)
    case = await _change(session, case, actor, now, CaseEventKind.REPLY, detail=text, **values)
    await session.commit()
    return await _publish(session, case, actor, text, now, publisher)


async def approve_reply(
    session: AsyncSession,
    case: CaseRecord,
    actor: Actor,
    now: datetime,
    *,
    publisher: Publisher | None,
) -> ReplyOutcome:
    """An owner lets the waiting reply go out: published where the platform allows."""
    require_open(case)
    if case.reply_state != ReplyState.PENDING or not case.reply_text:
        raise CaseRefused("nothing_to_approve", id=case.id)
    case = await _change(
        session, case, actor, now, CaseEventKind.APPROVE_REPLY, reply_state=ReplyState.LOCAL
    )
    await session.commit()
    return await _publish(session, case, actor, case.reply_text or "", now, publisher)


async def reject_reply(
    session: AsyncSession, case: CaseRecord, actor: Actor, now: datetime
) -> CaseRecord:
    """An owner sends the waiting reply back; the assignee hears of it."""
    require_open(case)
    if case.reply_state != ReplyState.PENDING:
        raise CaseRefused("nothing_to_approve", id=case.id)
    case = await _change(
        session, case, actor, now, CaseEventKind.REJECT_REPLY, reply_state=ReplyState.REJECTED
    )
    if case.assignee_id is not None and case.assignee_id != actor.user_id:
        await enqueue(
            session,
            dedup_key=f"rejected:{case.id}:{now.isoformat()}",
            chat_id=case.assignee_id,
            kind=OutboxKind.REPLY_REJECTED,
            now=now,
            brand_id=case.brand_id,
            case_id=case.id,
            payload={"by": actor.name},
        )
    return case


async def _publish(
    session: AsyncSession,
    case: CaseRecord,
    actor: Actor,
    text: str,
    now: datetime,
    publisher: Publisher | None,
) -> ReplyOutcome:
    mention = await _mention(session, case.mention_id)
    if mention is None:
        return ReplyOutcome(case, ReplyState.LOCAL)
    target = reply_target(mention)
    if publisher is None or not publisher.can_publish(target.kind):
        link = reply_link(target.kind, target.url, mention.external_id) or mention.url
        return ReplyOutcome(case, ReplyState.LOCAL, link=link)
    try:
        published = await publisher.publish(target, text)
    except Exception as exc:  # whatever broke, the text is saved and the chat must hear of it
        log.warning("publishing reply to case %s failed: %s", case.id, exc)
        case = await _change(
            session,
            case,
            actor,
            now,
            CaseEventKind.PUBLISH_FAILED,
            detail=str(exc),
            reply_state=ReplyState.FAILED,
        )
        return ReplyOutcome(case, ReplyState.FAILED, link=mention.url, error=str(exc))
    case = await _change(
        session,
        case,
        actor,
        now,
        CaseEventKind.PUBLISH,
        detail=published.remote_id,
        status=CaseStatus.REPLIED,
        reply_state=ReplyState.PUBLISHED,
        reply_published_at=published.published_at or now,
        first_response_at=case.first_response_at or now,
    )
    return ReplyOutcome(case, ReplyState.PUBLISHED)


async def note_step(
    session: AsyncSession,
    case: CaseRecord,
    actor: Actor,
    now: datetime,
    action: CaseEventKind,
    detail: str | None = None,
) -> CaseRecord:
    """A step that changes nothing on the case but belongs in its history (drafts)."""
    require_open(case)
    return await _change(session, case, actor, now, action, detail=detail)


async def confirm_reply(
    session: AsyncSession, case: CaseRecord, actor: Actor, now: datetime
) -> CaseRecord:
    require_open(case)
    if case.status == CaseStatus.REPLIED:
        raise CaseRefused("already", id=case.id)
    return await _change(
        session,
        case,
        actor,
        now,
        CaseEventKind.CONFIRM_REPLY,
        status=CaseStatus.REPLIED,
        first_response_at=case.first_response_at or now,
    )


async def resolve(
    session: AsyncSession, case: CaseRecord, actor: Actor, now: datetime
) -> CaseRecord:
    if case.status == CaseStatus.RESOLVED:
        raise CaseRefused("already", id=case.id)
    return await _change(
        session, case, actor, now, CaseEventKind.RESOLVE, status=CaseStatus.RESOLVED, closed_at=now
    )


async def ignore(
    session: AsyncSession, case: CaseRecord, actor: Actor, reason: str, now: datetime
) -> CaseRecord:
    if case.status == CaseStatus.IGNORED:
        raise CaseRefused("already", id=case.id)
    return await _change(
        session,
        case,
        actor,
        now,
        CaseEventKind.IGNORE,
        detail=reason,
        status=CaseStatus.IGNORED,
        ignore_reason=reason,
        closed_at=now,
    )


async def reopen(
    session: AsyncSession, case: CaseRecord, actor: Actor, now: datetime
) -> CaseRecord:
    if case.status not in CLOSED_STATUSES:
        raise CaseRefused("already", id=case.id)
    status = CaseStatus.IN_PROGRESS if case.assignee_id is not None else CaseStatus.NEW
    return await _change(
        session,
        case,
        actor,
        now,
        CaseEventKind.REOPEN,
        status=status,
        closed_at=None,
        ignore_reason=None,
    )


async def _mention(session: AsyncSession, mention_id: int) -> MentionRecord | None:
    found = await mentions_repo.get_mentions(session, [mention_id])
    return found[0] if found else None
