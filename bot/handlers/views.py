"""Texts of the case list and of one case with its history."""

from __future__ import annotations

from datetime import datetime

from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from bot.alerts import load_alert
from bot.handlers.common import Refusal, case_to_see
from bot.middlewares import Access
from bot.render import (
    MESSAGE_LIMIT,
    SOURCE_NAMES,
    deadline_note,
    esc,
    fit_escaped,
    local_time,
    source_name,
    stars,
    utf16_len,
)
from bot.texts import t
from common.vocabulary import OPEN_STATUSES, CaseStatus
from scrapers.registry import kinds
from storage.repositories import branches as branches_repo
from storage.repositories import cases as cases_repo
from storage.repositories.revisions import ratings_raised_after_reply

LIST_LIMIT = 30


async def case_list(
    session: AsyncSession, access: Access, lang: str, words: list[str], *, now: datetime
) -> str:
    """/cases [brand] [branch] [status] [source kind]: open cases first by deadline.
    A branch-scoped member sees their branch's cases only."""
    brand_ids = access.brand_ids
    statuses: tuple[str, ...] = OPEN_STATUSES
    kind: str | None = None
    scopes = access.scopes()
    names = {m.brand_name.casefold(): m.brand_id for m in access.memberships.values()}
    branch_names = {
        branch.name.casefold(): branch
        for brand_id in brand_ids
        for branch in await branches_repo.branches_of(session, brand_id)
        if access.sees_branch(brand_id, branch.id)
    }
    for word in words:
        folded = word.casefold()
        if folded in names:
            brand_ids = [names[folded]]
        elif folded in branch_names:
            branch = branch_names[folded]
            brand_ids, scopes = [branch.brand_id], {**scopes, branch.brand_id: branch.id}
        elif folded in set(CaseStatus):
            statuses = (CaseStatus(folded),)
        elif folded in ("open", "открытые"):
            statuses = OPEN_STATUSES
        elif folded in ("all", "все"):
            statuses = tuple(CaseStatus)
        elif (
            folded.replace("_", "").isalnum() and not folded.isdigit() and _looks_like_kind(folded)
        ):
            kind = folded
        else:
            raise Refusal(t(lang, "bad_status", status=esc(word), statuses=", ".join(CaseStatus)))
    items = await cases_repo.list_cases(
        session, brand_ids, statuses=statuses, source_kind=kind, branches=scopes, limit=LIST_LIMIT
    )
    if not items:
        return t(lang, "cases_empty")
    lines = [t(lang, "cases_title", count=len(items))]
    for item in items:
        case = item.case
        head = f"#{case.id} {t(lang, f'status_{case.status}')} · {esc(case.brand_name)} · {esc(source_name(item.source_kind))}"
        if case.branch_name:
            head += f" · 📍 {esc(case.branch_name)}"
        if item.rating is not None:
            head += f" {stars(item.rating).split()[0]}"
        head += deadline_note(lang, case, tz=item.timezone, now=now)
        if case.assignee_id is not None:
            head += f" · {esc(case.assignee_name or case.assignee_id)}"
        snippet, _ = fit_escaped(" ".join(item.text.split()), 90)
        lines.append(f"{head}\n   «{snippet}» · /case {case.id}")
    return "\n".join(lines)


def _looks_like_kind(word: str) -> bool:
    return word in kinds() or word in SOURCE_NAMES


async def case_details(
    session: AsyncSession, access: Access, lang: str, case_id: int | None, *, now: datetime
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The alert card as it is now plus the case history (who, what, when)."""
    case = await case_to_see(session, access, lang, case_id, "case")
    view = await load_alert(session, mention_id=case.mention_id, case_id=case.id)
    if view is None:
        raise Refusal(t(lang, "case_not_found", id=case_id))
    events = await cases_repo.case_events(session, case.id)
    history = [t(lang, "history")]
    for event in events:
        who = esc(event.actor_name or t(lang, "system"))
        line = f"{local_time(event.created_at, view.brand.timezone)} · {who} · {t(lang, f'event_{event.action}')}"
        if event.detail:
            detail, _ = fit_escaped(event.detail, 200)
            line += f": {detail}"
        history.append(line)
    card = view.text(lang, now)
    raised = await ratings_raised_after_reply(
        session, [case.brand_id], since=case.created_at, until=now, mention_id=case.mention_id
    )
    for change in raised:
        card += "\n" + t(
            lang,
            "case_rating_raised",
            old=f"{change.old_rating:g}",
            new=f"{change.new_rating:g}",
            at=local_time(change.seen_at, view.brand.timezone),
        )
    # The card already fits Telegram's limit alone; history keeps its newest lines that fit.
    while len(history) > 1 and utf16_len(card + "\n\n" + "\n".join(history)) > MESSAGE_LIMIT:
        del history[1]
    extra = "\n\n" + "\n".join(history) if len(history) > 1 else ""
    keyboard = view.keyboard(lang) if access.can_act(case.brand_id) else None
    return card + extra, keyboard
