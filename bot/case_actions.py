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
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from scrapers.publish import ReplyTarget, reply_link
from storage.records import MentionRecord
from storage.repositories import cases as cases_repo
from storage.repositories import members
from storage.repositories import mentions as mentions_repo
from storage.repositories import replies as replies_repo
from storage.repositories.cases import CLOSED_STATUSES, CaseRecord
from storage.repositories.outbox import enqueue

log = logging.getLogger(__name__)


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
    """state: published | failed | local | pending (waits for an owner's approval);
    link is where to post by hand (local)."""

    case: CaseRecord
    state: str
    link: str | None = None
    error: str | None = None


async def _change(
    session: AsyncSession,
    case: CaseRecord,
    actor: Actor,
    now: datetime,
    action: str,
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


def _require_open(case: CaseRecord) -> None:
    if case.status in CLOSED_STATUSES:
        raise CaseRefused("case_closed", id=case.id)


async def take(session: AsyncSession, case: CaseRecord, actor: Actor, now: datetime) -> CaseRecord:
    _require_open(case)
    if case.assignee_id == actor.user_id and case.status != "new":
        raise CaseRefused("already", id=case.id)
    status = "in_progress" if case.status == "new" else case.status
    return await _change(
        session, case, actor, now, "take", status=status, assignee_id=actor.user_id
    )


async def assign(
    session: AsyncSession, case: CaseRecord, actor: Actor, user_id: int, now: datetime
) -> CaseRecord:
    _require_open(case)
    team = {m.user_id: m for m in await members.members_of(session, case.brand_id)}
    member = team.get(user_id)
    if member is None or member.role == "viewer":
        raise CaseRefused("not_a_member", user=user_id, brand=case.brand_name)
    status = "in_progress" if case.status == "new" else case.status
    return await _change(
        session,
        case,
        actor,
        now,
        "assign",
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
    publisher: Any | None,
    by_owner: bool,
) -> ReplyOutcome:
    """Store the reply, then publish it where the platform allows; else hand out the link.
    Where the brand wants approval, a reply not written by an owner waits for one instead."""
    _require_open(case)
    values: dict[str, Any] = {"reply_text": text, "reply_state": "local"}
    if case.status == "new":
        values["status"] = "in_progress"
    if case.assignee_id is None:
        values["assignee_id"] = actor.user_id
    settings = await replies_repo.reply_settings(session, case.brand_id)
    # A brand without an owner has nobody to approve: its replies go out as written.
    owners = await members.owners_of(session, case.brand_id) if settings.approval else []
    if owners and not by_owner:
        values["reply_state"] = "pending"
        case = await _change(session, case, actor, now, "submit_reply", detail=text, **values)
        for owner in owners:
            await enqueue(
                session,
                dedup_key=f"approval:{case.id}:{now.isoformat()}:{owner}",
                chat_id=owner,
                kind="approval",
                now=now,
                brand_id=case.brand_id,
                mention_id=case.mention_id,
                case_id=case.id,
            )
        return ReplyOutcome(case, "pending")
    case = await _change(session, case, actor, now, "reply", detail=text, **values)
    await session.commit()
    return await _publish(session, case, actor, text, now, publisher)


async def approve_reply(
    session: AsyncSession, case: CaseRecord, actor: Actor, now: datetime, *, publisher: Any | None
) -> ReplyOutcome:
    """An owner lets the waiting reply go out: published where the platform allows."""
    _require_open(case)
    if case.reply_state != "pending" or not case.reply_text:
        raise CaseRefused("nothing_to_approve", id=case.id)
    case = await _change(session, case, actor, now, "approve_reply", reply_state="local")
    await session.commit()
    return await _publish(session, case, actor, case.reply_text or "", now, publisher)


async def reject_reply(
    session: AsyncSession, case: CaseRecord, actor: Actor, now: datetime
) -> CaseRecord:
    """An owner sends the waiting reply back; the assignee hears of it."""
    _require_open(case)
    if case.reply_state != "pending":
        raise CaseRefused("nothing_to_approve", id=case.id)
    case = await _change(session, case, actor, now, "reject_reply", reply_state="rejected")
    if case.assignee_id is not None and case.assignee_id != actor.user_id:
        await enqueue(
            session,
            dedup_key=f"rejected:{case.id}:{now.isoformat()}",
            chat_id=case.assignee_id,
            kind="reply_rejected",
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
    publisher: Any | None,
) -> ReplyOutcome:
    mention = await _mention(session, case.mention_id)
    if mention is None:
        return ReplyOutcome(case, "local")
    target = ReplyTarget(mention.source_kind, mention.url or "", mention.external_id or "", {})
    if publisher is None or not publisher.can_publish(target.kind):
        link = reply_link(target.kind, target.url, mention.external_id) or mention.url
        return ReplyOutcome(case, "local", link=link)
    try:
        published = await publisher.publish(target, text)
    except Exception as exc:  # whatever broke, the text is saved and the chat must hear of it
        log.warning("publishing reply to case %s failed: %s", case.id, exc)
        case = await _change(
            session, case, actor, now, "publish_failed", detail=str(exc), reply_state="failed"
        )
        return ReplyOutcome(case, "failed", link=mention.url, error=str(exc))
    case = await _change(
        session,
        case,
        actor,
        now,
        "publish",
        detail=published.remote_id,
        status="replied",
        reply_state="published",
        reply_published_at=published.published_at or now,
        first_response_at=case.first_response_at or now,
    )
    return ReplyOutcome(case, "published")


async def note_step(
    session: AsyncSession,
    case: CaseRecord,
    actor: Actor,
    now: datetime,
    action: str,
    detail: str | None = None,
) -> CaseRecord:
    """A step that changes nothing on the case but belongs in its history (drafts)."""
    _require_open(case)
    return await _change(session, case, actor, now, action, detail=detail)


async def confirm_reply(
    session: AsyncSession, case: CaseRecord, actor: Actor, now: datetime
) -> CaseRecord:
    _require_open(case)
    if case.status == "replied":
        raise CaseRefused("already", id=case.id)
    return await _change(
        session,
        case,
        actor,
        now,
        "confirm_reply",
        status="replied",
        first_response_at=case.first_response_at or now,
    )


async def resolve(
    session: AsyncSession, case: CaseRecord, actor: Actor, now: datetime
) -> CaseRecord:
    if case.status == "resolved":
        raise CaseRefused("already", id=case.id)
    return await _change(session, case, actor, now, "resolve", status="resolved", closed_at=now)


async def ignore(
    session: AsyncSession, case: CaseRecord, actor: Actor, reason: str, now: datetime
) -> CaseRecord:
    if case.status == "ignored":
        raise CaseRefused("already", id=case.id)
    return await _change(
        session,
        case,
        actor,
        now,
        "ignore",
        detail=reason,
        status="ignored",
        ignore_reason=reason,
        closed_at=now,
    )


async def reopen(
    session: AsyncSession, case: CaseRecord, actor: Actor, now: datetime
) -> CaseRecord:
    if case.status not in CLOSED_STATUSES:
        raise CaseRefused("already", id=case.id)
    status = "in_progress" if case.assignee_id is not None else "new"
    return await _change(
        session, case, actor, now, "reopen", status=status, closed_at=None, ignore_reason=None
    )


async def _mention(session: AsyncSession, mention_id: int) -> MentionRecord | None:
    found = await mentions_repo.get_mentions(session, [mention_id])
    return found[0] if found else None
