"""Brand and source management for owners: list with health, add by URL, remove, pause, quiet."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession
from yarl import URL

from bot.capacity import capacity_note
from bot.handlers.common import Refusal, args_of, parse_int, pick_brand
from bot.middlewares import Access
from bot.render import esc, fit_escaped, local_time
from bot.texts import RU, t
from common.clock import Clock
from common.vocabulary import Role, SourceHealth, SourceOrigin
from scrapers import guard
from scrapers.capacity import Politeness, deployment_loads, request_hosts
from scrapers.errors import FetchError, SourceConfigError
from scrapers.records import SourceSpec
from scrapers.registry import check, kinds
from storage.repositories import brands_admin, chats
from storage.repositories import mentions as mentions_repo
from storage.repositories import sources as sources_repo
from storage.repositories.brands import brand_record

Detect = Callable[[str], str | None]
Allowance = tuple[guard.Network, ...]


@dataclass(frozen=True, slots=True)
class UrlCheck:
    """What a pasted URL is checked with: its kind, and whether its address may be fetched."""

    detect: Detect
    allowed_addresses: Allowance


_DURATION = re.compile(r"^(\d{1,4})([mhd])$")
_QUIET = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
_URL = re.compile(r"^\S+://\S+$|^https?:\S+$|^www\.\S+$")


async def list_brands(message: Message, session: AsyncSession, access: Access, lang: str) -> None:
    lines = [t(lang, "brands_title")]
    for brand in await brands_admin.brands(session, access.brand_ids):
        paused = ""
        if brand.alerts_paused_until is not None:
            paused = t(
                lang, "paused_until", until=local_time(brand.alerts_paused_until, brand.timezone)
            )
        quiet = ""
        if brand.quiet_start and brand.quiet_end:
            quiet = t(lang, "quiet_hours", start=brand.quiet_start, end=brand.quiet_end)
        lines.append(
            t(
                lang,
                "brand_line",
                name=esc(brand.name),
                role=t(lang, f"role_{access.role(brand.id)}"),
                minutes=brand.response_minutes,
                work_start=brand.work_start,
                work_end=brand.work_end,
                paused=paused,
                quiet=quiet,
            )
        )
    await message.answer("\n".join(lines))


async def list_sources(
    message: Message, session: AsyncSession, access: Access, lang: str, politeness: Politeness
) -> None:
    found = await brands_admin.sources_of(session, access.brand_ids)
    if not found:
        await message.answer(t(lang, "sources_empty"))
        return
    lines = [t(lang, "sources_title")]
    held = await mentions_repo.held_count(session, [source.id for source in found])
    for source in found:
        detail = ""
        if source.site_total is not None:
            detail += t(lang, "coverage", site=source.site_total, held=held[source.id])
        if source.coverage_note:
            detail += t(lang, f"coverage_note_{source.coverage_note}")
        if source.last_success_at is not None:
            detail += t(
                lang, "last_success", at=local_time(source.last_success_at, source.timezone)
            )
        if source.last_error and source.health != SourceHealth.OK:
            error, _ = fit_escaped(source.last_error, 200)
            detail += t(lang, "last_error", error=error)
        health = f"health_{source.health}"  # t() raises on a state it has no icon for
        icon = t(lang, health) if health in RU else "❔"
        lines.append(
            t(
                lang,
                "source_line",
                icon=icon,
                id=source.id,
                kind=esc(source.kind),
                brand=esc(source.brand_name),
                origin=t(lang, "from_config") if source.origin == SourceOrigin.CONFIG else "",
                url=esc(source.url),
                detail=detail,
            )
        )
    # A site's budget is shared by every brand's sources on it, so all of them are counted.
    polls = {
        p.source_id: (SourceSpec(p.kind, p.url, options=p.options), p.interval_seconds)
        for p in await sources_repo.poll_schedule(session)
    }
    mine = {
        host
        for source in found
        if source.id in polls
        for host in request_hosts(polls[source.id][0])
    }
    for load in deployment_loads(polls.values(), politeness):
        if load.over and load.host in mine:
            lines.append(capacity_note(lang, load))
    await message.answer("\n".join(lines), disable_web_page_preview=True)


async def add_source_command(
    message: Message,
    session: AsyncSession,
    access: Access,
    lang: str,
    clock: Clock,
    detect_source: Detect,
    allowed_addresses: Allowance,
) -> None:
    words = args_of(message.text)
    if not words:
        await message.answer(t(lang, "usage_add_source"))
        return
    pasted = UrlCheck(detect_source, allowed_addresses)
    await _add(message, session, access, lang, clock, pasted, words[0], " ".join(words[1:]) or None)


async def pasted_url(
    message: Message,
    session: AsyncSession,
    access: Access,
    lang: str,
    clock: Clock,
    detect_source: Detect,
    allowed_addresses: Allowance,
) -> None:
    if not access.brands_where(Role.OWNER):
        return
    pasted = UrlCheck(detect_source, allowed_addresses)
    await _add(message, session, access, lang, clock, pasted, (message.text or "").strip(), None)


async def _add(
    message: Message,
    session: AsyncSession,
    access: Access,
    lang: str,
    clock: Clock,
    pasted: UrlCheck,
    url: str,
    brand_name: str | None,
) -> None:
    try:
        owned = access.brands_where(Role.OWNER)
        if brand_name is None and len(owned) > 1:
            # In a brand's own chat the brand is obvious.
            here = set(await chats.brand_ids_of_chat(session, message.chat.id))
            local = [m for m in owned if m.brand_id in here]
            owned = local if len(local) == 1 else owned
        brand = pick_brand(lang, owned, brand_name)
    except Refusal as refusal:
        await message.answer(refusal.text)
        return
    if (
        not url.lower().startswith(("http://", "https://"))
        or len(url) > 2000
        or "@" in urlsplit(url).netloc  # user:password@ URLs are how internal hosts get hidden
    ):
        await message.answer(t(lang, "bad_url"))
        return
    try:
        guard.check_url(URL(url), pasted.allowed_addresses)
    except FetchError:
        await message.answer(t(lang, "address_not_allowed"))
        return
    kind = pasted.detect(url)
    if kind is None:
        await message.answer(t(lang, "unsupported_url", kinds=", ".join(kinds())))
        return
    aliases = (await brand_record(session, brand.brand_id)).aliases
    try:
        check(SourceSpec(kind, url, aliases))
    except SourceConfigError as exc:
        problem = esc(str(exc.args[0]))
        await message.answer(t(lang, "source_misconfigured", kind=esc(kind), problem=problem))
        return
    source, fresh = await brands_admin.add_source(
        session, brand_id=brand.brand_id, kind=kind, url=url, now=clock()
    )
    await session.commit()
    key = "source_added" if fresh else "source_exists"
    await message.answer(t(lang, key, id=source.id, kind=esc(kind), brand=esc(brand.brand_name)))


async def remove_source(message: Message, session: AsyncSession, access: Access, lang: str) -> None:
    source_id = parse_int(next(iter(args_of(message.text)), None))
    if source_id is None:
        await message.answer(t(lang, "usage_remove_source"))
        return
    source = await brands_admin.source(session, source_id)
    if source is None or access.role(source.brand_id) is None:
        await message.answer(t(lang, "source_not_found", id=source_id))
        return
    if not access.is_owner(source.brand_id):
        await message.answer(t(lang, "owner_only"))
        return
    await brands_admin.disable_source(session, source_id)
    await session.commit()
    text = t(lang, "source_removed", id=source_id, kind=esc(source.kind))
    if source.origin == SourceOrigin.CONFIG:
        text += t(lang, "source_removed_config")
    await message.answer(text)


async def pause(
    message: Message, session: AsyncSession, access: Access, lang: str, clock: Clock
) -> None:
    words = args_of(message.text)
    resume = (message.text or "").startswith("/resume")
    duration = None
    if not resume:
        match = _DURATION.match(words[0].lower()) if words else None
        if match is None:
            await message.answer(t(lang, "usage_pause"))
            return
        amount, unit = int(match.group(1)), match.group(2)
        duration = timedelta(**{{"m": "minutes", "h": "hours", "d": "days"}[unit]: amount})
        words = words[1:]
    try:
        brand = pick_brand(lang, access.brands_where(Role.OWNER), " ".join(words) or None)
    except Refusal as refusal:
        await message.answer(refusal.text)
        return
    until = None if duration is None else clock() + duration
    await brands_admin.set_pause(session, brand.brand_id, until)
    await session.commit()
    if until is None:
        await message.answer(t(lang, "resumed", brand=esc(brand.brand_name)))
        return
    tz = await brands_admin.brand_timezone(session, brand.brand_id)
    await message.answer(
        t(lang, "paused", brand=esc(brand.brand_name), until=local_time(until, tz))
    )


async def quiet(message: Message, session: AsyncSession, access: Access, lang: str) -> None:
    words = args_of(message.text)
    spec = words[0].lower() if words else ""
    match = _QUIET.match(spec)
    if spec != "off" and match is None:
        await message.answer(t(lang, "usage_quiet"))
        return
    try:
        brand = pick_brand(lang, access.brands_where(Role.OWNER), " ".join(words[1:]) or None)
    except Refusal as refusal:
        await message.answer(refusal.text)
        return
    start, end = spec.split("-") if match else (None, None)
    await brands_admin.set_quiet_hours(session, brand.brand_id, start, end)
    await session.commit()
    key = "quiet_set" if match else "quiet_off"
    await message.answer(t(lang, key, brand=esc(brand.brand_name), start=start, end=end))


def create_router() -> Router:
    """A fresh router (a router joins one dispatcher only; tests build several)."""
    router = Router(name="sources")
    router.message.register(list_brands, Command("brands"))
    router.message.register(list_sources, Command("sources"))
    router.message.register(add_source_command, Command("add_source"))
    router.message.register(pasted_url, F.text.regexp(_URL), F.chat.type == "private")
    router.message.register(remove_source, Command("remove_source"))
    router.message.register(pause, Command("pause", "resume"))
    router.message.register(quiet, Command("quiet"))
    return router
