"""Helpers shared by the routers: argument parsing, brand choice, case loading."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.case_actions import Actor, CaseRefused
from bot.middlewares import Access
from bot.render import esc
from bot.texts import t
from storage.repositories import cases as cases_repo
from storage.repositories.cases import CaseRecord
from storage.repositories.members import Membership


class Refusal(Exception):
    """Tell the user `text` and stop; raised by helpers, answered by handlers."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def refusal_text(lang: str, refused: Refusal | CaseRefused) -> str:
    """What the user is told when a helper or a case action refuses."""
    if isinstance(refused, Refusal):
        return refused.text
    return t(lang, refused.key, **refused.kwargs)


def args_of(text: str | None) -> list[str]:
    """Words after the command (the command itself and its @botname dropped)."""
    return (text or "").split()[1:]


def rest_after(text: str | None, words: int) -> str:
    """The free text after the command and `words` arguments, line breaks kept."""
    parts = (text or "").split(maxsplit=words + 1)
    return parts[words + 1].strip() if len(parts) > words + 1 else ""


def parse_int(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.lstrip("#")
    return int(value) if value.lstrip("-").isdigit() else None


def actor(access: Access) -> Actor:
    return Actor(access.user_id, access.name)


def pick_brand(lang: str, choices: list[Membership], name: str | None) -> Membership:
    """The brand named (case-insensitive), or the only one; otherwise a Refusal asking which."""
    if not choices:
        raise Refusal(t(lang, "owner_only"))
    names = ", ".join(esc(m.brand_name) for m in choices)
    if name:
        for membership in choices:
            if membership.brand_name.casefold() == name.strip().casefold():
                return membership
        raise Refusal(t(lang, "unknown_brand", brand=esc(name), brands=names))
    if len(choices) == 1:
        return choices[0]
    raise Refusal(t(lang, "which_brand", brands=names))


async def case_to_see(
    session: AsyncSession, access: Access, lang: str, case_id: int | None, command: str
) -> CaseRecord:
    if case_id is None:
        raise Refusal(t(lang, "usage_case", command=command))
    case = await cases_repo.get_case(session, case_id)
    if case is None or access.role(case.brand_id) is None:
        raise Refusal(t(lang, "case_not_found", id=case_id))
    return case


async def case_to_act(
    session: AsyncSession, access: Access, lang: str, case_id: int | None, command: str
) -> CaseRecord:
    case = await case_to_see(session, access, lang, case_id, command)
    if not access.can_act(case.brand_id):
        raise Refusal(t(lang, "viewer_cannot_act"))
    return case
