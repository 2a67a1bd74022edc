"""Joining (/start CODE), invites, the team list, help, chat subscription and language."""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.deep_linking import create_start_link
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import MemberRemove
from bot.handlers.common import Refusal, args_of, may_configure_chat, parse_int, pick_brand
from bot.middlewares import Access
from bot.render import esc, local_time, plain
from bot.texts import LANGUAGES, t
from common.clock import Clock
from common.vocabulary import Role
from scrapers.sanitise import name_key
from storage.repositories import branches, brands_admin, chats, invites, members
from storage.repositories.branches import BranchRecord
from storage.repositories.members import Membership

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
    owned = [m for m in access.brands_where(Role.OWNER) if m.branch_id is None]
    try:
        brand, branch = await _brand_and_branch(session, lang, owned, words[1:])
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
        branch_id=branch.id if branch else None,
    )
    await session.commit()
    start_link = await create_start_link(bot, record.code)
    await message.answer(
        t(
            lang,
            "invite_created",
            brand=esc(brand.brand_name) + (f" · 📍 {esc(branch.name)}" if branch else ""),
            role=t(lang, f"role_{role}"),
            expires=local_time(
                record.expires_at, await brands_admin.brand_timezone(session, brand.brand_id)
            ),
            link=esc(start_link),
            code=record.code,
        ),
        disable_web_page_preview=True,
    )


async def _brand_and_branch(
    session: AsyncSession, lang: str, owned: list[Membership], words: list[str]
) -> tuple[Membership, BranchRecord | None]:
    """`/invite pr [brand] [branch]`: the brand named (or the only one) and, where the trailing
    words name one of that brand's own branches, the branch. Words naming another brand's
    branch are not dropped: they are part of the brand's name, and a wrong name is refused
    rather than turned into an invite to the whole brand."""
    for membership in owned:
        for branch in await branches.branches_of(session, membership.brand_id):
            size = len(branch.name.split())
            if len(words) < size or name_key(" ".join(words[-size:])) != name_key(branch.name):
                continue
            try:
                brand = pick_brand(lang, owned, " ".join(words[:-size]) or None)
            except Refusal:
                continue
            if brand.brand_id == branch.brand_id:
                return brand, branch
    return pick_brand(lang, owned, " ".join(words) or None), None


async def team(message: Message, session: AsyncSession, access: Access, lang: str) -> None:
    """Each brand's team; an owner gets a remove button under every pr and viewer."""
    for membership in access.memberships.values():
        lines = [t(lang, "members_title", brand=esc(membership.brand_name))]
        buttons = []
        for member in await members.members_of(session, membership.brand_id):
            lines.append(
                f"• {esc(member.name or member.user_id)} · <code>{member.user_id}</code> · "
                f"{t(lang, f'role_{member.role}')}"
            )
            if membership.role == Role.OWNER and member.role != Role.OWNER:
                label = (member.name or str(member.user_id))[:40]
                data = MemberRemove(brand_id=membership.brand_id, user_id=member.user_id)
                buttons.append(
                    [
                        InlineKeyboardButton(
                            text=t(lang, "remove_button", name=label), callback_data=data.pack()
                        )
                    ]
                )
        if buttons:
            lines.append(t(lang, "members_remove_hint"))
        await message.answer(
            "\n".join(lines),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=buttons) if buttons else None,
        )


async def remove_member_command(
    message: Message, session: AsyncSession, access: Access, lang: str, clock: Clock
) -> None:
    words = args_of(message.text)
    user_id = parse_int(words[0]) if words else None
    if user_id is None:
        await message.answer(t(lang, "usage_remove_member"))
        return
    try:
        brand = pick_brand(lang, access.brands_where(Role.OWNER), " ".join(words[1:]) or None)
    except Refusal as refusal:
        await message.answer(refusal.text)
        return
    await message.answer(await _remove(session, access, lang, clock, brand, user_id))


async def remove_member_button(
    query: CallbackQuery,
    callback_data: MemberRemove,
    session: AsyncSession,
    access: Access,
    lang: str,
    clock: Clock,
) -> None:
    brand = access.memberships.get(callback_data.brand_id)
    if brand is None or brand.role != Role.OWNER:
        await query.answer(t(lang, "owner_only"), show_alert=True)
        return
    text = await _remove(session, access, lang, clock, brand, callback_data.user_id)
    await query.answer(plain(text)[:200], show_alert=True)
    if isinstance(query.message, Message):
        await query.message.answer(text)


async def _remove(
    session: AsyncSession,
    access: Access,
    lang: str,
    clock: Clock,
    brand: Membership,
    user_id: int,
) -> str:
    """Owners come from the brands file and are removed there; anyone else loses the brand
    at once (their next message is a stranger's)."""
    current = {m.user_id: m for m in await members.members_of(session, brand.brand_id)}
    target = current.get(user_id)
    if target is None:
        return t(lang, "member_not_found", brand=esc(brand.brand_name))
    if target.role == Role.OWNER:
        return t(lang, "owner_in_config")
    await members.remove_member(
        session, brand_id=brand.brand_id, user_id=user_id, actor_id=access.user_id, now=clock()
    )
    await session.commit()
    return t(
        lang,
        "member_removed",
        name=esc(target.name or str(user_id)),
        brand=esc(brand.brand_name),
    )


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
        await members.unlink_chat(
            session,
            brand_id=brand.brand_id,
            chat_id=message.chat.id,
            actor_id=access.user_id,
            now=clock(),
        )
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


async def language(
    message: Message, session: AsyncSession, access: Access, lang: str, clock: Clock
) -> None:
    if not await may_configure_chat(session, access, message.chat):
        await message.answer(t(lang, "chat_owners_only"))
        return
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
    router.message.register(remove_member_command, Command("remove_member"))
    router.callback_query.register(remove_member_button, MemberRemove.filter())
    router.message.register(subscribe, Command("subscribe", "unsubscribe"))
    router.message.register(language, Command("lang"))
    return router
