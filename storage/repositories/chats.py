"""Chats the bot talks in: language per chat and which brands' alerts each chat receives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignoring_conflicts
from storage.models import BrandChat, Chat

DEFAULT_LANGUAGE = "ru"


@dataclass(frozen=True, slots=True)
class ChatState:
    language: str
    blocked: bool


async def chat_state(session: AsyncSession, chat_id: int) -> ChatState | None:
    """The chat's language and whether it is marked blocked; None for a chat not stored yet.
    One read that tells the access check whether `ensure_chat` has anything to do."""
    row = (
        await session.execute(select(Chat.language, Chat.blocked_at).where(Chat.id == chat_id))
    ).first()
    if row is None:
        return None
    return ChatState(row.language or DEFAULT_LANGUAGE, row.blocked_at is not None)


async def language(session: AsyncSession, chat_id: int) -> str:
    value = await session.scalar(select(Chat.language).where(Chat.id == chat_id))
    return value or DEFAULT_LANGUAGE


async def ensure_chat(
    session: AsyncSession, chat_id: int, *, title: str | None, now: datetime
) -> None:
    await session.execute(
        insert_ignoring_conflicts(session, Chat).values(id=chat_id, title=title, created_at=now)
    )
    # A chat that writes to us again has unblocked the bot.
    await session.execute(
        update(Chat).where(Chat.id == chat_id, Chat.blocked_at.is_not(None)).values(blocked_at=None)
    )


async def set_language(session: AsyncSession, chat_id: int, lang: str, *, now: datetime) -> None:
    await ensure_chat(session, chat_id, title=None, now=now)
    await session.execute(update(Chat).where(Chat.id == chat_id).values(language=lang))


async def subscribe(
    session: AsyncSession, *, brand_id: int, chat_id: int, title: str | None, now: datetime
) -> bool:
    """The chat receives the brand's alerts and digests; False when it already did."""
    await ensure_chat(session, chat_id, title=title, now=now)
    result = await session.execute(
        insert_ignoring_conflicts(session, BrandChat)
        .values(brand_id=brand_id, chat_id=chat_id)
        .returning(BrandChat.id)
    )
    return result.first() is not None


async def brand_ids_of_chat(session: AsyncSession, chat_id: int) -> list[int]:
    rows = await session.scalars(select(BrandChat.brand_id).where(BrandChat.chat_id == chat_id))
    return list(rows)
