"""A terminal stand-in for Telegram: a Bot API server on loopback that the real aiogram bot talks
to. What the bot sends is printed as the owner's phone would show it (text, then the buttons);
photos are saved to a folder; the demo types commands and presses buttons as the owner."""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from aiohttp import BodyPartReader, web

from otklik.demo.loopback import serve_on_loopback

BOT_ID = 777000
_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


@dataclass(slots=True)
class Shown:
    """A message the bot put in the chat, as the owner sees it now."""

    message_id: int
    text: str
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    photo: Path | None = None


def plain(markup: str) -> str:
    """Telegram HTML as a terminal shows it: links with their address, tags gone."""
    return html.unescape(_TAG.sub("", _LINK.sub(r"\2 (\1)", markup)))


class ConsoleTelegram:
    def __init__(self, chat_id: int, out: TextIO, photos: Path, *, language: str = "ru") -> None:
        self.chat_id = chat_id
        self.token = f"{BOT_ID}:demo"
        self._out = out
        self._photos = photos
        self._language = language
        self._updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self.shown: dict[int, Shown] = {}
        self.shows = 0  # messages sent or edited so far: what a wait can count on
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner, self.port = await serve_on_loopback(app)

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ---- the owner's side ------------------------------------------------------------------

    def type(self, text: str) -> None:
        print(f"\n  owner types: {text}", file=self._out, flush=True)
        command = text.split()[0]
        message = {
            **self._message(next(self._message_ids)),
            "from": self._owner(),
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        }
        self._updates.put_nowait({"update_id": next(self._update_ids), "message": message})

    def press(self, shown: Shown, button: dict[str, Any]) -> None:
        print(f"\n  owner presses: [{button['text']}]", file=self._out, flush=True)
        callback = {
            "id": str(next(self._update_ids)),
            "from": self._owner(),
            "chat_instance": str(self.chat_id),
            "message": {
                **self._message(shown.message_id),
                "from": self._bot_user(),
                "text": shown.text,
            },
            "data": button["callback_data"],
        }
        self._updates.put_nowait({"update_id": next(self._update_ids), "callback_query": callback})

    async def wait_for(self, found: Callable[[], Any], deadline: float = 20.0) -> Any:
        """The first truthy value of `found()`, checked after each message the bot sends."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(found), deadline)
        return found()

    # ---- the Bot API -----------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        fields, files = await _read(request)
        if method == "getUpdates":
            return _ok(await self._get_updates(float(fields.get("timeout", "0") or 0)))
        handler = getattr(self, f"_m_{method}", None)
        result = handler(fields, files) if handler is not None else True
        async with self._changed:
            self._changed.notify_all()
        return _ok(result)

    async def _get_updates(self, wait: float) -> list[dict[str, Any]]:
        try:
            first = await asyncio.wait_for(self._updates.get(), min(wait, 1.0))
        except TimeoutError:
            return []
        batch = [first]
        while not self._updates.empty():
            batch.append(self._updates.get_nowait())
        return batch

    def _m_getMe(self, fields: dict[str, str], files: dict[str, bytes]) -> dict[str, Any]:
        return {**self._bot_user(), "can_join_groups": True}

    def _m_sendMessage(self, fields: dict[str, str], files: dict[str, bytes]) -> dict[str, Any]:
        shown = Shown(next(self._message_ids), fields.get("text", ""), _buttons(fields))
        return self._show(shown, "")

    def _m_editMessageText(self, fields: dict[str, str], files: dict[str, bytes]) -> Any:
        shown = self.shown.get(int(fields.get("message_id", "0")))
        if shown is None:
            return True
        shown.text, shown.buttons = fields.get("text", ""), _buttons(fields)
        return self._show(shown, "edited")

    def _m_editMessageReplyMarkup(self, fields: dict[str, str], files: dict[str, bytes]) -> Any:
        shown = self.shown.get(int(fields.get("message_id", "0")))
        if shown is None:
            return True
        shown.buttons = _buttons(fields)
        return self._show(shown, "buttons changed")

    def _m_sendPhoto(self, fields: dict[str, str], files: dict[str, bytes]) -> dict[str, Any]:
        shown = Shown(next(self._message_ids), fields.get("caption", ""), _buttons(fields))
        # aiogram uploads a file as a part of its own and names it in the field: attach://NAME
        name = fields.get("photo", "").removeprefix("attach://")
        data = files.get(name) or files.get("photo")
        if data is not None:
            shown.photo = self._photos / f"otklik-demo-chart-{shown.message_id}.png"
            shown.photo.write_bytes(data)
        return self._show(shown, "")

    def _m_sendDocument(self, fields: dict[str, str], files: dict[str, bytes]) -> dict[str, Any]:
        return self._m_sendMessage({"text": fields.get("caption", "(a file)")}, files)

    def _m_answerCallbackQuery(self, fields: dict[str, str], files: dict[str, bytes]) -> bool:
        if fields.get("text"):
            print(f"  (pop-up: {plain(fields['text'])})", file=self._out, flush=True)
        return True

    def _show(self, shown: Shown, note: str) -> dict[str, Any]:
        self.shown[shown.message_id] = shown
        self.shows += 1
        heading = f"Telegram · message {shown.message_id}" + (f" ({note})" if note else "")
        lines = ["", f"┌─ {heading} " + "─" * max(0, 60 - len(heading))]
        if shown.photo is not None:
            lines.append(f"│ [picture saved to {shown.photo}]")
        lines += [f"│ {line}" for line in plain(shown.text).splitlines()]
        for row in shown.buttons:
            lines.append("│ " + " ".join(f"[ {button['text']} ]" for button in row))
        lines.append("└" + "─" * 63)
        print("\n".join(lines), file=self._out, flush=True)
        message = {**self._message(shown.message_id), "from": self._bot_user()}
        message["text" if shown.photo is None else "caption"] = shown.text
        if shown.photo is not None:
            message["photo"] = [
                {
                    "file_id": f"demo-{shown.message_id}",
                    "file_unique_id": "p",
                    "width": 1,
                    "height": 1,
                }
            ]
        return message

    # ---- Telegram objects ------------------------------------------------------------------

    def _owner(self) -> dict[str, Any]:
        return {
            "id": self.chat_id,
            "is_bot": False,
            "first_name": "Owner",
            "language_code": self._language,
        }

    def _bot_user(self) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Otklik", "username": "otklik_bot"}

    def _message(self, message_id: int) -> dict[str, Any]:
        chat = {"id": self.chat_id, "type": "private", "first_name": "Owner"}
        return {"message_id": message_id, "date": int(time.time()), "chat": chat}


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _buttons(fields: dict[str, str]) -> list[list[dict[str, Any]]]:
    markup = json.loads(fields.get("reply_markup") or "{}")
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return [list(row) for row in rows]


async def _read(request: web.Request) -> tuple[dict[str, str], dict[str, bytes]]:
    if request.content_type == "multipart/form-data":
        fields: dict[str, str] = {}
        files: dict[str, bytes] = {}
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename:
                files[part.name] = bytes(await part.read())
            else:
                fields[part.name] = await part.text()
        return fields, files
    if request.content_type == "application/json":
        body = await request.json()
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}, {}
    form = await request.post()
    return {k: v for k, v in form.items() if isinstance(v, str)}, {}
