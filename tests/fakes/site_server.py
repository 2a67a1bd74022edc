"""A real local HTTP server that plays a website for scraper tests (127.0.0.1 only).

    server = SiteServer(); await server.start()
    server.add("/ru/rss/...", body_bytes, content_type="application/json")
    server.add("/s/chan", page1, query={"before": "20"})      # matched on a query subset
    server.add("/x", b"", status=429, headers={"Retry-After": "1"}, times=1)  # then the next
    server.add_handler("/slow", handler)                        # any aiohttp handler
    server.url("/ru/rss/...")                                   # http://127.0.0.1:PORT/...
    server.requests                                             # what clients asked, in order
    await server.close()

Replies for one path are tried in the order added: the first whose query matches and whose
`times` is not used up answers. Ready-made handlers: `slow`, `huge`, `truncated`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(slots=True)
class SeenRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: str


@dataclass(slots=True)
class _Reply:
    path: str
    handler: Handler
    query: Mapping[str, str] = field(default_factory=dict)
    method: str | None = None
    times: int | None = None

    def wants(self, request: web.Request) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.method and request.method != self.method:
            return False
        return all(request.query.get(k) == v for k, v in self.query.items())


class SiteServer:
    """Serves registered pages and handlers; records every request."""

    def __init__(self) -> None:
        self._replies: dict[str, list[_Reply]] = {}
        self.requests: list[SeenRequest] = []
        self.bytes_sent: dict[str, int] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        # Handlers still sleeping (slow pages) must not hold up the end of a test.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        content_type: str = "text/html",
        charset: str | None = None,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        method: str | None = None,
        times: int | None = None,
    ) -> None:
        data = body.encode(charset or "utf-8") if isinstance(body, str) else body
        ctype = f"{content_type}; charset={charset}" if charset else content_type

        async def handler(_request: web.Request) -> web.StreamResponse:
            response = web.Response(body=data, status=status, headers=dict(headers or {}))
            response.headers["Content-Type"] = ctype
            return response

        self.add_handler(path, handler, query=query, method=method, times=times)

    def add_handler(
        self,
        path: str,
        handler: Handler,
        *,
        query: Mapping[str, str] | None = None,
        method: str | None = None,
        times: int | None = None,
    ) -> None:
        self._replies.setdefault(path, []).append(
            _Reply(path, handler, dict(query or {}), method, times)
        )

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        body = await request.text() if request.can_read_body else ""
        self.requests.append(
            SeenRequest(
                request.method, request.path, dict(request.query), dict(request.headers), body
            )
        )
        for reply in self._replies.get(request.path, []):
            if reply.wants(request):
                if reply.times is not None:
                    reply.times -= 1
                return await reply.handler(request)
        return web.Response(status=404, text="not found")

    def hits(self, path: str) -> list[SeenRequest]:
        return [r for r in self.requests if r.path == path]

    # -- ready-made misbehaving handlers ----------------------------------------------------
    @staticmethod
    def slow(delay: float, body: bytes = b"late") -> Handler:
        """Answers after `delay` seconds (longer than the client's timeout in tests)."""

        async def handler(_request: web.Request) -> web.StreamResponse:
            await asyncio.sleep(delay)
            return web.Response(body=body)

        return handler

    def huge(self, size: int, *, declare_length: bool = False, chunk: int = 64 * 1024) -> Handler:
        """Streams `size` bytes of HTML-ish filler, counting what was actually sent."""

        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": "text/html"})
            if declare_length:
                response.content_length = size
            await response.prepare(request)
            block = b"<p>" + b"x" * (chunk - 7) + b"</p>\n"
            sent = 0
            try:
                while sent < size:
                    await response.write(block)
                    sent += len(block)
                    self.bytes_sent[request.path] = sent
                await response.write_eof()
            except (ConnectionResetError, ConnectionError):
                pass
            return response

        return handler

    @staticmethod
    def truncated(body: bytes, *, declared: int, content_type: str = "text/html") -> Handler:
        """Promises `declared` bytes, sends `body` (shorter), then drops the connection."""

        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": content_type})
            response.content_length = declared
            await response.prepare(request)
            await response.write(body)
            transport = request.transport
            if transport is not None:
                transport.close()
            return response

        return handler
