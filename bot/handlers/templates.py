"""/templates and /template: the brand's reply templates, listed for the team and edited by
owners (the config file's `[brands.replies.templates]` sets the same keys at start)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.handlers.common import Refusal, args_of, pick_brand, rest_after
from bot.middlewares import Access
from bot.render import MESSAGE_LIMIT, esc, fit_escaped, utf16_len
from bot.texts import t
from common.clock import Clock
from common.vocabulary import Role
from replies import LANGUAGES, TemplateError, keys, shipped, validate
from storage.repositories import replies as replies_repo

LINE_PREVIEW = 70
VARIANT_SEPARATOR = "||"


def _split_words(words: list[str]) -> tuple[str | None, str | None, int]:
    """[brand words…] [ru|en] …: the brand name, the language and where the language word is."""
    for index, word in enumerate(words):
        if word.lower() in LANGUAGES:
            return (" ".join(words[:index]) or None), word.lower(), index
    return (" ".join(words) or None), None, len(words)


async def cmd_templates(message: Message, session: AsyncSession, access: Access, lang: str) -> None:
    brand_name, language, _ = _split_words(args_of(message.text))
    try:
        brand = pick_brand(lang, access.brands_where(Role.OWNER, Role.PR), brand_name)
    except Refusal as refusal:
        await message.answer(refusal.text)
        return
    language = language or lang
    own = {
        t_.key: t_.variants
        for t_ in await replies_repo.templates_of(session, brand.brand_id)
        if t_.language == language
    }
    lines = [t(lang, "templates_title", brand=esc(brand.brand_name), language=language)]
    for key in keys(language):
        variants = own.get(key) or shipped(language)[key]
        preview, _ = fit_escaped(variants[0], LINE_PREVIEW)
        more = f" (+{len(variants) - 1})" if len(variants) > 1 else ""
        mark = "✏️ " if key in own else ""
        lines.append(t(lang, "template_line", mark=mark, code=key, text=preview + more))
    for chunk in _chunks(lines):
        await message.answer(chunk)


def _chunks(lines: list[str]) -> list[str]:
    """Lines packed into messages within Telegram's limit."""
    out: list[str] = []
    current: list[str] = []
    for line in lines:
        if current and utf16_len("\n".join([*current, line])) > MESSAGE_LIMIT:
            out.append("\n".join(current))
            current = []
        current.append(line)
    return [*out, "\n".join(current)]


async def cmd_template(
    message: Message, session: AsyncSession, access: Access, lang: str, clock: Clock
) -> None:
    words = args_of(message.text)
    brand_name, language, at = _split_words(words)
    key = words[at + 1] if language and len(words) > at + 1 else None
    text = rest_after(message.text, at + 2)
    try:
        if language is None or key is None or not text:
            raise Refusal(t(lang, "usage_template"))
        brand = pick_brand(lang, access.brands_where(Role.OWNER), brand_name)
        if text.strip().lower() == "reset":
            done = await replies_repo.reset_template(session, brand.brand_id, language, key)
            reply = "template_reset" if done else "template_not_set"
            await message.answer(
                t(lang, reply, code=esc(key), language=language, brand=esc(brand.brand_name))
            )
            return
        try:
            variants = validate(language, key, tuple(text.split(VARIANT_SEPARATOR)))
        except TemplateError as exc:
            raise Refusal(t(lang, "template_bad", error=esc(exc))) from exc
    except Refusal as refusal:
        await message.answer(refusal.text)
        return
    await replies_repo.set_template(
        session, brand.brand_id, language, key, variants, user_id=access.user_id, now=clock()
    )
    await message.answer(
        t(
            lang,
            "template_saved",
            code=esc(key),
            language=language,
            brand=esc(brand.brand_name),
            count=len(variants),
        )
    )


def create_router() -> Router:
    """A fresh router (a router joins one dispatcher only; tests build several)."""
    router = Router(name="templates")
    router.message.register(cmd_templates, Command("templates"))
    router.message.register(cmd_template, Command("template"))
    return router
