"""A notifier that prints to the terminal: the loop runs with no Telegram token."""

from __future__ import annotations

import sys
from typing import TextIO
from urllib.parse import unquote, urlsplit

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.notices import render_notice
from bot.render import plain
from common.vocabulary import OutboxKind, ReviewChange
from otklik.pipeline import title_and_text
from storage.records import MentionRecord, OutboxRecord
from storage.repositories.mentions import get_mentions

_RENDERED = {OutboxKind.HEALTH, OutboxKind.COVERAGE}


def short_url(url: str, width: int = 60) -> str:
    """A URL as a person reads it: no scheme or www, percent-escapes decoded, cut to `width`."""
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    rest = unquote(parts.path.rstrip("/") + (f"?{parts.query}" if parts.query else ""))
    text = f"{host}{rest}" if host else unquote(url)
    return text if len(text) <= width else text[: width - 1] + "…"


def describe(mention: MentionRecord, *, width: int = 160) -> str:
    """One line per mention for terminals: label, stars, source, author, text."""
    label = mention.sentiment_label or "unlabelled"
    stars = f" {mention.rating:g}★" if mention.rating is not None else ""
    tags = ",".join(t["tag"] for t in mention.touchpoints)
    text = " ".join(title_and_text(mention.title, mention.text).split())
    if len(text) > width:
        text = text[: width - 1] + "…"
    return (
        f"[{label}{stars}] {mention.brand_name} · {mention.source_kind}"
        f"{' · ' + mention.author if mention.author else ''}{' · ' + tags if tags else ''}: {text}"
        f"{'  ' + mention.url if mention.url else ''}"
    )


class ConsoleNotifier:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], out: TextIO = sys.stdout
    ) -> None:
        self._sessions = sessionmaker
        self._out = out

    async def deliver(self, message: OutboxRecord) -> int | None:
        facts = message.payload
        if message.mention_id is not None:
            async with self._sessions() as session:
                found = await get_mentions(session, [message.mention_id])
            body = describe(found[0]) if found else f"mention {message.mention_id}"
            case = f" case #{message.case_id}" if message.case_id else ""
            if message.kind == OutboxKind.REVIEW_UPDATE:
                change = str(facts.get("change", ReviewChange.EDITED)).replace("_", " ")
                if facts.get("new_rating") is not None:
                    change += f" {facts.get('old_rating'):g}★ → {facts.get('new_rating'):g}★"
                body = f"{change}: {body}"
            label = "UPDATE" if message.kind == OutboxKind.REVIEW_UPDATE else "ALERT"
            print(f"{label} → chat {message.chat_id}{case}: {body}", file=self._out, flush=True)
        elif message.kind == OutboxKind.BACKLOG:
            print(
                f"BACKLOG → chat {message.chat_id}: source added ({facts.get('source_kind')}): "
                f"{facts.get('read')} reviews read over {facts.get('days')} days, "
                f"{facts.get('negative_open')} negative without an answer — /backlog",
                file=self._out,
                flush=True,
            )
        else:
            if message.kind in _RENDERED:
                # Their payloads are facts, not text: rendered as the bot would word them.
                async with self._sessions() as session:
                    text = await render_notice(session, message, "en")
            else:
                text = str(message.payload.get("text", message.kind))
            text = plain(text)
            print(
                f"{message.kind.upper()} → chat {message.chat_id}: {text}",
                file=self._out,
                flush=True,
            )
        return None
