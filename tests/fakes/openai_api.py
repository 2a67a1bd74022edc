"""A local fake OpenAI-compatible chat completions server for tests: real HTTP on 127.0.0.1.

Usage::

    async def test_something(fake_llm):
        fake_llm.answer("Здравствуйте, Иван! ...")          # the next completion's text
        fake_llm.refuse("I can't help with that")           # the next one refuses (refusal field)
        fake_llm.slow(3.0, "...")                           # the next one takes 3 s
        fake_llm.fail(500)                                  # the next one is an HTTP error
        settings = LLMSettings(url=fake_llm.url, model="test-model", api_key="sk-test")

Scripted answers are used in order; with none left the server answers `default`. Every request
is kept in `requests` (headers and the JSON body), so a test can read the prompt it was sent.
`url` is the API base (…/v1) as `OTKLIK_LLM_URL` takes it.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web


@dataclass
class _Scripted:
    content: str | None = None
    refusal: str | None = None
    delay: float = 0.0
    status: int = 200


@dataclass
class LLMRequest:
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def prompt(self) -> str:
        """Every message's content, joined: what the model was told."""
        return "\n".join(str(m.get("content", "")) for m in self.body.get("messages", []))


@dataclass
class FakeLLM:
    default: str = "Спасибо за отзыв!"
    requests: list[LLMRequest] = field(default_factory=list)
    _script: deque[_Scripted] = field(default_factory=deque)
    _runner: web.AppRunner | None = None
    _port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}/v1"

    def answer(self, content: str) -> None:
        self._script.append(_Scripted(content=content))

    def refuse(self, refusal: str = "I'm sorry, but I can't help with that.") -> None:
        self._script.append(_Scripted(refusal=refusal))

    def slow(self, seconds: float, content: str = "Спасибо!") -> None:
        self._script.append(_Scripted(content=content, delay=seconds))

    def fail(self, status: int = 500) -> None:
        self._script.append(_Scripted(status=status))

    async def start(self) -> FakeLLM:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._complete)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self._port = server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _complete(self, request: web.Request) -> web.StreamResponse:
        body = json.loads(await request.read())
        self.requests.append(LLMRequest(dict(request.headers), body))
        step = self._script.popleft() if self._script else _Scripted(content=self.default)
        if step.delay:
            await asyncio.sleep(step.delay)
        if step.status >= 400:
            error = {"message": "the model is overloaded", "type": "server_error"}
            return web.json_response({"error": error}, status=step.status)
        message: dict[str, Any] = {"role": "assistant", "content": step.content}
        if step.refusal is not None:
            message = {"role": "assistant", "content": None, "refusal": step.refusal}
        return web.json_response(
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "model": body.get("model"),
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
            }
        )


@pytest.fixture
async def fake_llm() -> AsyncIterator[FakeLLM]:
    server = await FakeLLM().start()
    try:
        yield server
    finally:
        await server.close()
