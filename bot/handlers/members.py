"""Joining (/start CODE), invites, the team list, help, chat subscription and language."""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message
from aiogram.utils.deep_linking import create_start_link
from sqlalchemy.ext.asyncio import AsyncSession

from bot.handlers.common import Refusal, args_of, pick_brand
from bot.middlewares import Access
from bot.render import esc, local_time
from bot.texts import LANGUAGES, t
from common.clock import Clock
from common.vocabulary import Role
from storage.repositories import brands_admin, chats, invites, members

INVITE_TTL = timedelta(days=7)


async def start_with_code(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    access: Access,
    lang: str,
    clock: Clock,
) -> None:
    result = await invites.redeem(
        session, (command.args or "").strip(), user_id=access.user_id, name=access.name, now=clock()
    )
    if result.outcome != "joined":
        await message.answer(t(lang, f"invite_{result.outcome}"))
        return
    await session.commit()
    await message.answer(
        t(lang, "joined", brand=esc(result.brand_name), role=t(lang, f"role_{result.role}"))
    )


async def start(message: Message, access: Access, lang: str) -> None:
    brands = ", ".join(
        f"{esc(m.brand_name)} ({t(lang, f'role_{m.role}')})" for m in access.memberships.values()
    )
    await message.answer(
        t(lang, "welcome", name=esc(access.name), brands=brands, help=t(lang, "help"))
    )


async def invite(
    message: Message, bot: Bot, session: AsyncSession, access: Access, lang: str, clock: Clock
) -> None:
    words = args_of(message.text)
    if not words or words[0].lower() not in (Role.PR, Role.VIEWER):
        await message.answer(t(lang, "invite_usage"))
        return
    role = words[0].lower()
    try:
        brand = pick_brand(lang, access.brands_where(Role.OWNER), " ".join(words[1:]) or None)
    except Refusal as refusal:
        await message.answer(refusal.text)
        return
    record = await invites.create_invite(
        session,
        brand_id=brand.brand_id,
        role=role,
        created_by=access.user_id,
        now=clock(),
        ttl=INVITE_TTL,
    )
    await session.commit()
    start_link = await create_start_link(bot, record.code)
    await message.answer(
        t(
            lang,
            "invite_created",
            brand=esc(brand.brand_name),
            role=t(lang, f"role_{role}"),
            expires=local_time(
                record.expires_at, await brands_admin.brand_timezone(session, brand.brand_id)
            ),
            link=esc(start_link),
            code=record.code,
        ),
        disable_web_page_preview=True,
    )


async def team(message: Message, session: AsyncSession, access: Access, lang: str) -> None:
    parts = []
    for membership in access.memberships.values():
        lines = [t(lang, "members_title", brand=esc(membership.brand_name))]
        for member in await members.members_of(session, membership.brand_id):
            lines.append(
                f"• {esc(member.name or member.user_id)} · <code>{member.user_id}</code> · "
                f"{t(lang, f'role_{member.role}')}"
            )
        parts.append("\n".join(lines))
    await message.answer("\n\n".join(parts))


async def subscribe(
    message: Message, session: AsyncSession, access: Access, lang: str, clock: Clock
) -> None:
    words = args_of(message.text)
    try:
        brand = pick_brand(lang, access.brands_where(Role.OWNER, Role.PR), " ".join(words) or None)
    except Refusal as refusal:
        await message.answer(refusal.text)
        return
    if (message.text or "").startswith("/unsubscribe"):
        await chats.unsubscribe(session, brand_id=brand.brand_id, chat_id=message.chat.id)
        await session.commit()
        await message.answer(t(lang, "unsubscribed", brand=esc(brand.brand_name)))
        return
    added = await chats.subscribe(
        session,
        brand_id=brand.brand_id,
        chat_id=message.chat.id,
        title=message.chat.title,
        now=clock(),
    )
    await session.commit()
    await message.answer(
        t(lang, "subscribed" if added else "already_subscribed", brand=esc(brand.brand_name))
    )


async def language(message: Message, session: AsyncSession, lang: str, clock: Clock) -> None:
    words = args_of(message.text)
    if not words or words[0].lower() not in LANGUAGES:
        await message.answer(t(lang, "usage_lang"))
        return
    chosen = words[0].lower()
    await chats.set_language(session, message.chat.id, chosen, now=clock())
    await session.commit()
    await message.answer(t(chosen, "lang_set"))


def create_router() -> Router:
    """A fresh router (a router joins one dispatcher only; tests build several)."""
    router = Router(name="members")
    router.message.register(start_with_code, CommandStart(deep_link=True))
    router.message.register(start, CommandStart())
    router.message.register(start, Command("help"))
    router.message.register(invite, Command("invite"))
    router.message.register(team, Command("members"))
    router.message.register(subscribe, Command("subscribe", "unsubscribe"))
    router.message.register(language, Command("lang"))
    return router
