"""Middlewares: one database session per update, then access control and the chat's language."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, Update, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.texts import t
from common.clock import Clock
from common.vocabulary import Role
from storage.repositories import chats, members
from storage.repositories.members import Membership

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Access:
    """What the user behind an update may do: their role per brand."""

    user_id: int
    name: str
    memberships: dict[int, Membership] = field(default_factory=dict)

    @property
    def is_stranger(self) -> bool:
        return not self.memberships

    @property
    def brand_ids(self) -> list[int]:
        return list(self.memberships)

    def role(self, brand_id: int) -> str | None:
        membership = self.memberships.get(brand_id)
        return membership.role if membership else None

    def can_act(self, brand_id: int) -> bool:
        return self.role(brand_id) in (Role.OWNER, Role.PR)

    def is_owner(self, brand_id: int) -> bool:
        return self.role(brand_id) == Role.OWNER

    def brands_where(self, *roles: str) -> list[Membership]:
        return [m for m in self.memberships.values() if m.role in roles]


def display_name(user: User) -> str:
    name = user.full_name.strip()
    if user.username:
        name = f"{name} (@{user.username})" if name else f"@{user.username}"
    return name or str(user.id)


class DbSessionMiddleware(BaseMiddleware):
    """Opens one AsyncSession per update and commits what the handler left uncommitted."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessionmaker

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self._sessions() as session:
            data["session"] = session
            result = await handler(event, data)
            await session.commit()
            return result


class AccessMiddleware(BaseMiddleware):
    """Strangers get one polite refusal and nothing else; members get `access` and `lang`.

    The only thing a stranger may do is redeem an invite: /start CODE.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        session: AsyncSession = data["session"]
        clock: Clock = data["clock"]
        chat = data.get("event_chat")
        state = await chats.chat_state(session, chat.id) if chat is not None else None
        lang = state.language if state else chats.DEFAULT_LANGUAGE
        data["lang"] = lang
        if user is None or user.is_bot:
            return None
        found = await members.memberships(session, user.id)
        access = Access(user.id, display_name(user), {m.brand_id: m for m in found})
        data["access"] = access
        if not access.is_stranger:
            # Reads decide; a write happens only when a name changed or a group is new or
            # was blocked, so a plain command takes no write lock.
            if any(m.member_name != access.name for m in found):
                await members.remember_name(session, user.id, access.name)
            if chat is not None and chat.type != "private" and (state is None or state.blocked):
                await chats.ensure_chat(session, chat.id, title=chat.title, now=clock())
            return await handler(event, data)
        inner = event.event if isinstance(event, Update) else event
        if isinstance(inner, Message) and (inner.text or "").startswith("/start "):
            return await handler(event, data)
        log.info("refused stranger %s in chat %s", user.id, chat.id if chat else None)
        if isinstance(inner, CallbackQuery):
            await inner.answer(t(lang, "refuse_short"), show_alert=True)
        elif isinstance(inner, Message) and (
            inner.chat.type == "private" or (inner.text or "").startswith("/")
        ):
            await inner.answer(t(lang, "refuse"))
        return None
