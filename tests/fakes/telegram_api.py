"""A local fake Telegram Bot API server for tests: real HTTP, real aiogram on the other side.

Usage (pytest, asyncio_mode=auto)::

    from tests.fakes.telegram_api import fake_telegram  # noqa: F401  (in your conftest.py)

    async def test_something(fake_telegram):
        bot = fake_telegram.make_bot()          # aiogram Bot pointed at the fake server
        await bot.send_message(42, "hi")
        call = await fake_telegram.wait_for("sendMessage", chat_id=42)
        assert call.text == "hi"

The server listens on 127.0.0.1 on a random port and serves ``/bot{token}/{method}`` and
``/file/bot{token}/{path}``. ``fake_telegram.api_url`` is the base URL to give
``TelegramAPIServer.from_base`` (or ``OTKLIK_TELEGRAM_API_URL``); ``fake_telegram.token`` is a
well-formed token the fake accepts (any token is accepted).

Implemented methods: getMe, getUpdates (long polling, capped at ``poll_cap`` seconds so shutdown
is quick), deleteWebhook, setWebhook, setMyCommands, deleteMyCommands, getMyCommands,
sendMessage, editMessageText, editMessageReplyMarkup, editMessageCaption, deleteMessage,
answerCallbackQuery, sendPhoto and sendDocument (multipart; uploaded bytes are kept),
sendChatAction, getChat, getFile. Unknown methods answer 404 like Telegram does.

Every request is recorded as a :class:`Call` (``fake_telegram.calls``) with the method, the
form fields as aiogram sent them (strings; ``reply_markup`` and other JSON fields stay JSON text
— use ``call.json(name)`` or ``call.reply_markup``), uploaded files, and the HTTP status the
fake answered. Successful sends are also kept as messages per chat (``messages(chat_id)``),
and edits change them, so a test can assert what a user sees now.

Feeding the bot: ``push_update(dict)`` queues a raw update (update_id is filled in); the helpers
``send_text(...)`` and ``press_button(...)`` build a realistic message / callback_query update,
queue it and return it. ``wait_for(method, predicate=..., deadline=5.0, **fields)`` waits (with a deadline,
no sleeps) for a matching call made at or after ``since`` (a call index; ``mark()`` returns the
current one) and returns it; ``wait_for_count`` waits for N matching calls.

Failure injection: ``fail_next(method, times=1, status=429, retry_after=1)`` makes the next
``times`` calls of that method answer the given error (429 carries ``parameters.retry_after``;
500 is an internal server error; 403 is "Forbidden: bot was blocked by the user"; 400 takes
``description``). ``block_chat(chat_id)`` makes every send to that chat answer 403 until
``unblock_chat``. Failed calls are recorded with ``ok=False`` and never create a message.
``hold(method, after=n)`` lets the next ``n`` calls of that method through and leaves the rest
unanswered until ``release()``: a Telegram that has not taken the message yet. A held call whose
client went away meanwhile (a killed process) is dropped unrecorded, as Telegram would never
have seen it; ``held`` counts the calls waiting now.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiogram import Bot
from aiohttp import web

from bot.factory import create_bot

TOKEN = "123456789:AAFakeTokenForOtklikTestsOnly_abcdefgh"
BOT_ID = 123456789
BOT_USERNAME = "otklik_test_bot"

SEND_METHODS = {"sendMessage", "sendPhoto", "sendDocument"}
EDIT_METHODS = {"editMessageText", "editMessageReplyMarkup", "editMessageCaption"}
JSON_FIELDS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "commands",
    "allowed_updates",
    "link_preview_options",
    "reply_parameters",
    "scope",
}


@dataclass
class UploadedFile:
    """A file sent by multipart upload (sendPhoto / sendDocument)."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class Call:
    """One request the bot made. Fields are strings, as aiogram sends them."""

    index: int
    method: str
    fields: dict[str, str]
    files: dict[str, UploadedFile] = field(default_factory=dict)
    status: int = 200
    ok: bool = True
    result: Any = None
    at: float = field(default_factory=time.monotonic)

    def json(self, name: str) -> Any:
        """A JSON-encoded field decoded (None when absent)."""
        raw = self.fields.get(name)
        return None if raw is None else json.loads(raw)

    @property
    def chat_id(self) -> int | None:
        raw = self.fields.get("chat_id")
        return int(raw) if raw is not None and raw.lstrip("-").isdigit() else None

    @property
    def message_id(self) -> int | None:
        raw = self.fields.get("message_id")
        return int(raw) if raw is not None else None

    @property
    def text(self) -> str | None:
        return self.fields.get("text", self.fields.get("caption"))

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        return self.json("reply_markup")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline keyboard buttons flattened row by row ([] when there is no keyboard)."""
        markup = self.reply_markup or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]

    @property
    def file(self) -> UploadedFile | None:
        return next(iter(self.files.values()), None)


@dataclass
class _Failure:
    status: int
    description: str
    retry_after: int | None
    times: int


class FakeTelegram:
    """The fake Bot API server; see the module docstring for the whole story."""

    def __init__(self, *, token: str = TOKEN, poll_cap: float = 0.25) -> None:
        self.token = token
        self.poll_cap = poll_cap
        self.calls: list[Call] = []
        self._updates: deque[dict[str, Any]] = deque()
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._failures: dict[str, deque[_Failure]] = {}
        self._blocked: set[int] = set()
        self._holds: dict[str, int] = {}
        self._released = asyncio.Event()
        self.held = 0
        self._changed = asyncio.Condition()
        self._updates_ready = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self._bots: list[Any] = []

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> FakeTelegram:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.*}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]
        self.port = sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        self.release()
        for bot in self._bots:
            await bot.session.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def api_url(self) -> str:
        """Base URL for TelegramAPIServer.from_base / OTKLIK_TELEGRAM_API_URL."""
        return f"http://127.0.0.1:{self.port}"

    def make_bot(self) -> Bot:
        """An aiogram Bot (HTML parse mode) talking to this server; closed with the fake."""
        bot = create_bot(self.token, self.api_url)
        self._bots.append(bot)
        return bot

    # ---- feeding updates -------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update for getUpdates; update_id is assigned when missing."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        self._updates.append(update)
        self._updates_ready.set()
        return update

    def send_text(
        self,
        text: str,
        *,
        user_id: int,
        chat_id: int | None = None,
        first_name: str = "Test",
        username: str | None = None,
        language_code: str = "ru",
        chat_title: str = "PR team",
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        """A user writes `text` in a chat (private when chat_id is None or positive)."""
        message = self.user_message(
            text,
            user_id=user_id,
            chat_id=chat_id,
            first_name=first_name,
            username=username,
            language_code=language_code,
            chat_title=chat_title,
        )
        if reply_to_message_id is not None:
            message["reply_to_message"] = self._messages.get(
                (message["chat"]["id"], reply_to_message_id),
                {
                    "message_id": reply_to_message_id,
                    "date": int(time.time()),
                    "chat": message["chat"],
                },
            )
        return self.push_update({"message": message})

    def press_button(
        self,
        data: str,
        *,
        user_id: int,
        chat_id: int,
        message_id: int,
        first_name: str = "Test",
        username: str | None = None,
        language_code: str = "ru",
    ) -> dict[str, Any]:
        """A user presses an inline button with callback `data` under a message the bot sent."""
        message = self._messages.get((chat_id, message_id)) or {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self._bot_user(),
            "text": "",
        }
        callback = {
            "id": str(next(self._update_ids) * 1000 + 7),
            "from": self._user(user_id, first_name, username, language_code),
            "chat_instance": str(abs(chat_id)),
            "message": message,
            "data": data,
        }
        return self.push_update({"callback_query": callback})

    def user_message(
        self,
        text: str,
        *,
        user_id: int,
        chat_id: int | None = None,
        first_name: str = "Test",
        username: str | None = None,
        language_code: str = "ru",
        chat_title: str = "PR team",
    ) -> dict[str, Any]:
        """A Message object as Telegram sends it (not queued): useful for feed_update tests."""
        chat_id = user_id if chat_id is None else chat_id
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id, title=chat_title, first_name=first_name),
            "from": self._user(user_id, first_name, username, language_code),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return message

    # ---- inspecting calls ------------------------------------------------------------------

    def mark(self) -> int:
        """The index the next call will get: pass it as `since` to wait only for newer calls."""
        return len(self.calls)

    def calls_of(
        self, method: str, *, ok: bool | None = True, since: int = 0, **fields: Any
    ) -> list[Call]:
        """Recorded calls of a method (successful ones by default) whose fields match."""
        return [
            call
            for call in self.calls[since:]
            if call.method == method and (ok is None or call.ok == ok) and _matches(call, fields)
        ]

    async def wait_for(
        self,
        method: str,
        *,
        predicate: Callable[[Call], bool] | None = None,
        since: int = 0,
        deadline: float = 5.0,
        ok: bool | None = True,
        **fields: Any,
    ) -> Call:
        """The first call (index >= since) of `method` matching fields and predicate; waits up
        to `deadline` seconds for it and fails the test with what was seen otherwise."""
        calls = await self.wait_for_count(
            method, 1, predicate=predicate, since=since, deadline=deadline, ok=ok, **fields
        )
        return calls[0]

    async def wait_for_count(
        self,
        method: str,
        count: int,
        *,
        predicate: Callable[[Call], bool] | None = None,
        since: int = 0,
        deadline: float = 5.0,
        ok: bool | None = True,
        **fields: Any,
    ) -> list[Call]:
        """At least `count` matching calls (index >= since), waiting up to `deadline` seconds."""

        def found() -> list[Call]:
            matching = self.calls_of(method, ok=ok, since=since, **fields)
            return [call for call in matching if predicate is None or predicate(call)]

        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: len(found()) >= count), deadline
                )
            except TimeoutError:
                seen = [
                    (c.index, c.method, c.status, c.fields)
                    for c in self.calls[since:]
                    if c.method != "getUpdates"
                ]
                raise AssertionError(
                    f"no {count} x {method} {fields or ''} within {deadline}s; seen: {seen}"
                ) from None
            return found()

    async def wait_idle(self, deadline: float = 5.0) -> None:
        """Wait until every queued update has been fetched by getUpdates."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: not self._updates), deadline)
            except TimeoutError:
                raise AssertionError(f"{len(self._updates)} updates never fetched") from None

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """What the chat shows now: messages the bot sent there (after edits), oldest first."""
        return [
            message
            for (chat, _), message in sorted(self._messages.items())
            if chat == chat_id and message.get("from", {}).get("id") == BOT_ID
        ]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        return self._messages.get((chat_id, message_id))

    # ---- failure injection -----------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        times: int = 1,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        description: str | None = None,
    ) -> None:
        """The next `times` calls of `method` answer an error instead of succeeding."""
        if description is None:
            description = {
                429: f"Too Many Requests: retry after {retry_after}",
                500: "Internal Server Error",
                502: "Bad Gateway",
                403: "Forbidden: bot was blocked by the user",
                400: "Bad Request: chat not found",
            }.get(status, "Error")
        self._failures.setdefault(method, deque()).append(
            _Failure(status, description, retry_after if status == 429 else None, times)
        )

    def hold(self, method: str, *, after: int = 0) -> None:
        """Answer the next `after` calls of `method`, then keep the later ones waiting."""
        self._holds[method] = after
        self._released.clear()

    def release(self) -> None:
        """Answer every held call (and the later ones) again."""
        self._holds.clear()
        self._released.set()

    def block_chat(self, chat_id: int) -> None:
        """Every send/edit to this chat answers 403 "bot was blocked by the user"."""
        self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    # ---- HTTP ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        fields, files = await _read_fields(request)
        call = Call(index=-1, method=method, fields=fields, files=files)
        if not await self._passed_hold(method, request):
            return web.Response(status=499)
        if method == "getUpdates":
            response = await self._get_updates(fields)
        else:
            response = self._answer(method, call)
        async with self._changed:
            call.index = len(self.calls)
            self.calls.append(call)
            self._changed.notify_all()
        return response

    async def _passed_hold(self, method: str, request: web.Request) -> bool:
        """False for a held call whose client left before the release."""
        if method not in self._holds:
            return True
        if self._holds[method] > 0:
            self._holds[method] -= 1
            return True
        async with self._changed:
            self.held += 1
            self._changed.notify_all()
        try:
            await self._released.wait()
        finally:
            self.held -= 1
        transport = request.transport
        return transport is not None and not transport.is_closing()

    def _answer(self, method: str, call: Call) -> web.Response:
        failure = self._take_failure(method)
        chat_id = call.chat_id
        if (
            failure is None
            and chat_id in self._blocked
            and (method in SEND_METHODS or method in EDIT_METHODS)
        ):
            failure = _Failure(403, "Forbidden: bot was blocked by the user", None, 1)
        if failure is not None:
            return self._error(call, failure.status, failure.description, failure.retry_after)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(call, 404, "Not Found: method not found")
        try:
            result = handler(call)
        except _ApiError as exc:
            return self._error(call, exc.status, exc.description)
        call.result = result
        return web.json_response({"ok": True, "result": result})

    def _error(
        self, call: Call, status: int, description: str, retry_after: int | None = None
    ) -> web.Response:
        call.status, call.ok = status, False
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return web.json_response(body, status=status)

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.popleft()
        return failure

    async def _get_updates(self, fields: dict[str, str]) -> web.Response:
        offset = int(fields.get("offset", "0") or 0)
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()
        if not self._updates:
            self._updates_ready.clear()
            wait = min(float(fields.get("timeout", "0") or 0), self.poll_cap)
            if wait > 0:
                try:
                    await asyncio.wait_for(self._updates_ready.wait(), wait)
                except TimeoutError:
                    pass
        limit = int(fields.get("limit", "100") or 100)
        batch = [update for update in self._updates if update["update_id"] >= offset][:limit]
        # Telegram forgets updates once a later offset confirms them; aiogram confirms with the
        # next call, but tests want "fetched" to mean "handed to the bot".
        for _ in batch:
            self._updates.popleft()
        return web.json_response({"ok": True, "result": batch})

    async def _file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        for call in self.calls:
            for upload in call.files.values():
                if upload.filename == path or f"files/{call.index}" == path:
                    return web.Response(body=upload.data)
        return web.Response(status=404)

    # ---- methods ---------------------------------------------------------------------------

    def _m_getMe(self, call: Call) -> dict[str, Any]:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _m_deleteWebhook(self, call: Call) -> bool:
        return True

    def _m_setWebhook(self, call: Call) -> bool:
        return True

    def _m_setMyCommands(self, call: Call) -> bool:
        call.json("commands")
        return True

    def _m_deleteMyCommands(self, call: Call) -> bool:
        return True

    def _m_getMyCommands(self, call: Call) -> list[Any]:
        for previous in reversed(self.calls):
            if previous.method == "setMyCommands" and previous.ok:
                return previous.json("commands") or []
        return []

    def _m_sendChatAction(self, call: Call) -> bool:
        return True

    def _m_answerCallbackQuery(self, call: Call) -> bool:
        if not call.fields.get("callback_query_id"):
            raise _ApiError(400, "Bad Request: query is too old and response timeout expired")
        return True

    def _m_getChat(self, call: Call) -> dict[str, Any]:
        return self._chat(self._require_chat(call))

    def _m_getFile(self, call: Call) -> dict[str, Any]:
        file_id = call.fields.get("file_id", "")
        return {"file_id": file_id, "file_unique_id": file_id[:16], "file_path": f"files/{file_id}"}

    def _m_sendMessage(self, call: Call) -> dict[str, Any]:
        text = call.fields.get("text", "")
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        _check_html(call.fields.get("parse_mode"), text)
        return self._store(call, {"text": text})

    def _m_sendPhoto(self, call: Call) -> dict[str, Any]:
        caption = call.fields.get("caption")
        if caption is not None and len(caption) > 1024:
            raise _ApiError(400, "Bad Request: message caption is too long")
        upload = call.file
        file_id = f"photo{call.index}"
        extra: dict[str, Any] = {
            "photo": [
                {
                    "file_id": file_id,
                    "file_unique_id": file_id,
                    "width": 800,
                    "height": 600,
                    "file_size": len(upload.data) if upload else 0,
                }
            ]
        }
        if caption is not None:
            _check_html(call.fields.get("parse_mode"), caption)
            extra["caption"] = caption
        return self._store(call, extra)

    def _m_sendDocument(self, call: Call) -> dict[str, Any]:
        caption = call.fields.get("caption")
        upload = call.file
        file_id = f"document{call.index}"
        extra: dict[str, Any] = {
            "document": {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_name": upload.filename if upload else None,
                "file_size": len(upload.data) if upload else 0,
            }
        }
        if caption is not None:
            _check_html(call.fields.get("parse_mode"), caption)
            extra["caption"] = caption
        return self._store(call, extra)

    def _m_editMessageText(self, call: Call) -> dict[str, Any]:
        message = self._existing(call)
        text = call.fields.get("text", "")
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        _check_html(call.fields.get("parse_mode"), text)
        markup = call.reply_markup
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same",
            )
        message["text"] = text
        _set_markup(message, markup)
        message["edit_date"] = int(time.time())
        return message

    def _m_editMessageCaption(self, call: Call) -> dict[str, Any]:
        message = self._existing(call)
        message["caption"] = call.fields.get("caption", "")
        _set_markup(message, call.reply_markup)
        message["edit_date"] = int(time.time())
        return message

    def _m_editMessageReplyMarkup(self, call: Call) -> dict[str, Any]:
        message = self._existing(call)
        markup = call.reply_markup
        if message.get("reply_markup") == markup:
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same",
            )
        _set_markup(message, markup)
        message["edit_date"] = int(time.time())
        return message

    def _m_deleteMessage(self, call: Call) -> bool:
        chat_id = self._require_chat(call)
        if self._messages.pop((chat_id, call.message_id or 0), None) is None:
            raise _ApiError(400, "Bad Request: message to delete not found")
        return True

    # ---- helpers ---------------------------------------------------------------------------

    def _store(self, call: Call, extra: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require_chat(call)
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self._bot_user(),
            **extra,
        }
        _set_markup(message, call.reply_markup)
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _existing(self, call: Call) -> dict[str, Any]:
        chat_id = self._require_chat(call)
        message = self._messages.get((chat_id, call.message_id or 0))
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        return message

    @staticmethod
    def _require_chat(call: Call) -> int:
        if call.chat_id is None:
            raise _ApiError(400, "Bad Request: chat not found")
        return call.chat_id

    def _next_message_id(self, chat_id: int) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    @staticmethod
    def _bot_user() -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Otklik", "username": BOT_USERNAME}

    @staticmethod
    def _user(
        user_id: int, first_name: str, username: str | None, language_code: str
    ) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        if username:
            user["username"] = username
        return user

    @staticmethod
    def _chat(chat_id: int, *, title: str = "PR team", first_name: str = "Test") -> dict[str, Any]:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": first_name}
        return {"id": chat_id, "type": "supergroup", "title": title}


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _matches(call: Call, fields: dict[str, Any]) -> bool:
    for name, expected in fields.items():
        actual = call.fields.get(name)
        if actual is None or actual != str(expected):
            return False
    return True


def _set_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> None:
    if markup and markup.get("inline_keyboard"):
        message["reply_markup"] = markup
    else:
        message.pop("reply_markup", None)


_ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}


def _check_html(parse_mode: str | None, text: str) -> None:
    """Refuse what Telegram refuses: unknown tags and bare '<' / '&' in HTML mode."""
    if (parse_mode or "").upper() != "HTML":
        return
    for match in re.finditer(r"<(/?)([a-zA-Z-]*)[^>]*>|<|&(#?\w+;)?", text):
        token = match.group(0)
        if token == "<":
            raise _ApiError(
                400, f"Bad Request: can't parse entities: unexpected '<' at {match.start()}"
            )
        if token.startswith("&"):
            if match.group(3) is None:
                raise _ApiError(400, "Bad Request: can't parse entities: bare '&' in HTML text")
            continue
        if match.group(2).lower() not in _ALLOWED_TAGS:
            raise _ApiError(
                400,
                f"Bad Request: can't parse entities: unsupported start tag "
                f'"{match.group(2)}" at byte offset {match.start()}',
            )


async def _read_fields(request: web.Request) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    fields: dict[str, str] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        for key, value in body.items():
            fields[key] = value if isinstance(value, str) else json.dumps(value)
        return fields, files
    if not request.can_read_body:
        return fields, files
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        async for part in reader:
            if part.name is None:
                continue
            if part.filename is not None:
                files[part.name] = UploadedFile(
                    part.name, part.filename, part.headers.get("Content-Type"), await part.read()
                )
            else:
                fields[part.name] = await part.text()
        # aiogram names attachments "attach://key": expose the upload under the field name too.
        for name, value in list(fields.items()):
            if value.startswith("attach://") and value[9:] in files:
                files[name] = files.pop(value[9:])
        return fields, files
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, str):
            fields[key] = value
    return fields, files


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A running FakeTelegram; bots made with `make_bot()` are closed after the test."""
    fake = FakeTelegram()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()
