"""The one fetch path every source uses.

Public API (stable; the core and every source rely on it):

- `FetchSettings` — timeouts, size cap, retries/backoff, per-host limits, browser-like headers.
- `make_client_session(settings) -> aiohttp.ClientSession` — one per process, made by the core
  (inside a running event loop); closed by whoever made it.
- `Fetcher(session, settings)` with
    `await get(url, *, params=None, headers=None, etag=None, last_modified=None, source="")`
    `await post(url, *, data=None, params=None, headers=None, source="")`
  returning `FetchResponse` (status, url, body bytes, `.text()`, `.json()`, etag, last_modified,
  `not_modified` for 304).

Behaviour of `get`/`post`:
- the body is streamed and capped at `max_bytes` (after decompression): a larger answer raises
  `ResponseTooLarge` without reading the rest; a Content-Length above the cap fails before reading;
- per-host politeness: at most `per_host_concurrency` requests in flight and `per_host_rate`
  request starts per second (0 = no rate limit) for each host; with `pacer=` (a `HostPacer`)
  the request starts are spaced across every process sharing it, not per process;
- timeouts, connection errors, truncated bodies, 5xx and 429 are retried `retries` times with
  exponential backoff and jitter; 429 honours Retry-After and, once retries are spent (or when the
  site asks for more than `max_retry_after`), raises `RateLimited(retry_after=...)`;
- any other 4xx raises `FetchError` naming the status and URL, without retrying;
- only public addresses are fetched, checked on the URL and on every connection the session
  opens, redirects included (see `scrapers.guard`): anything else raises `AddressNotAllowed`;
- captcha / anti-bot pages (see `scrapers.antibot`) raise `AntiBotPage`, whatever the status.
Every failure is an `scrapers.errors.SourceError` subclass; no aiohttp exception escapes, and
none carries a key: messages and URLs pass through `scrapers.secrets.redact`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import aiohttp
from yarl import URL

from common.backoff import backoff
from scrapers import guard
from scrapers.antibot import check_antibot
from scrapers.encoding import decode_body
from scrapers.errors import FetchError, ParseError, RateLimited, ResponseTooLarge, SourceError
from scrapers.secrets import redact, redact_error
from scrapers.site_tokens import SiteTokens

log = logging.getLogger(__name__)

BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
_CHUNK = 64 * 1024
# An error page is read only this far: enough to recognise a captcha, never the whole answer.
_ERROR_BODY_CAP = 256 * 1024


@dataclass(slots=True)
class FetchSettings:
    """Network behaviour shared by all sources; tests shrink the timeouts and backoff."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0
    max_bytes: int = 10 * 1024 * 1024
    retries: int = 3
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    max_retry_after: float = 120.0
    per_host_concurrency: int = 2
    per_host_rate: float = 1.0
    total_connections: int = 100
    user_agent: str = BROWSER_USER_AGENT
    accept_language: str = "ru-RU,ru;q=0.9,en;q=0.8"
    host_rate_overrides: dict[str, float] = field(default_factory=dict)
    # Private addresses or networks that may be fetched anyway (tests, intranet feeds).
    allow_private: tuple[str, ...] = field(default_factory=guard.allowance_from_environment)


def make_client_session(settings: FetchSettings) -> aiohttp.ClientSession:
    """The process-wide session: pooled connections, browser-like headers, gzip/deflate/br."""
    connector = aiohttp.TCPConnector(
        limit=settings.total_connections,
        ttl_dns_cache=300,
        socket_factory=guard.socket_factory(guard.parse_allowance(settings.allow_private)),
    )
    headers = {
        "User-Agent": settings.user_agent,
        "Accept-Language": settings.accept_language,
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,application/json;q=0.8,"
        "*/*;q=0.7",
        "Accept-Encoding": "gzip, deflate, br",
    }
    return aiohttp.ClientSession(
        connector=connector,
        headers=headers,
        timeout=aiohttp.ClientTimeout(
            total=settings.total_timeout,
            connect=settings.connect_timeout,
            sock_read=settings.read_timeout,
        ),
    )


@dataclass(frozen=True, slots=True)
class FetchResponse:
    """A fully read (and capped) HTTP answer."""

    status: int
    url: str
    body: bytes
    content_type: str = ""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    source: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def text(self) -> str:
        """The body decoded by the header charset, then BOM / meta / XML declaration."""
        return decode_body(self.body, self.charset)

    def json(self) -> Any:
        try:
            return json.loads(self.text())
        except ValueError as exc:
            raise ParseError(
                f"answer is not JSON ({exc}); layout changed?", source=self.source, url=self.url
            ) from exc


class HostPacer(Protocol):
    """Request-start spacing shared by every process of a deployment, so a site's rate limit
    holds for all workers together rather than for each."""

    async def reserve(self, host: str, interval: float) -> float:
        """Book the host's next start `interval` s after the last booked one; returns how long
        to wait for this request's turn."""


class _HostGate:
    """Concurrency and request-start spacing for one host."""

    def __init__(
        self, host: str, concurrency: int, rate: float, pacer: HostPacer | None = None
    ) -> None:
        self.host = host
        self.semaphore = asyncio.Semaphore(max(1, concurrency))
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next_start = 0.0
        self._lock = asyncio.Lock()
        self._pacer = pacer

    async def wait_turn(self) -> None:
        if not self.interval:
            return
        if self._pacer is not None:
            try:
                wait = await self._pacer.reserve(self.host, self.interval)
            except Exception as exc:  # the shared clock is down: pace this process alone
                log.warning("shared pacing for %s unavailable (%s); pacing locally", self.host, exc)
            else:
                if wait > 0:
                    await asyncio.sleep(wait)
                return
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)


class _Retry(Exception):
    """Internal: this attempt failed in a way worth retrying."""

    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        status: int = 0,
        cause: BaseException | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.status = status
        self.cause = cause


class Fetcher:
    """Fetches pages politely and safely; see the module docstring for the guarantees."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        settings: FetchSettings,
        *,
        pacer: HostPacer | None = None,
    ) -> None:
        self.session = session
        self.settings = settings
        self._pacer = pacer
        self._gates: dict[str, _HostGate] = {}
        self._allowed = guard.parse_allowance(settings.allow_private)
        # Keys and tokens read from sites' public pages, shared by every source of the process.
        self.tokens = SiteTokens()

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        source: str = "",
    ) -> FetchResponse:
        extra = dict(headers or {})
        if etag:
            extra["If-None-Match"] = etag
        if last_modified:
            extra["If-Modified-Since"] = last_modified
        return await self.request("GET", url, params=params, headers=extra, source=source)

    async def post(
        self,
        url: str,
        *,
        data: str | bytes | Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        source: str = "",
    ) -> FetchResponse:
        return await self.request(
            "POST", url, params=params, headers=dict(headers or {}), data=data, source=source
        )

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Any = None,
        source: str = "",
    ) -> FetchResponse:
        try:
            return await self._request(method, url, params, headers, data, source)
        except SourceError as exc:  # the edge of the fetch layer: no key leaves in a message
            redact_error(exc)
            raise

    async def _request(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        data: Any,
        source: str,
    ) -> FetchResponse:
        target = URL(url)
        if params:
            target = target.update_query(params)
        guard.check_url(target, self._allowed, source=source)
        gate = self._gate(target.host or "")  # check_url refused a URL without a host
        attempts = self.settings.retries + 1
        for attempt in range(attempts):
            try:
                async with gate.semaphore:
                    await gate.wait_turn()
                    return await self._once(method, target, headers, data, source)
            except _Retry as retry:
                last = attempt == attempts - 1
                if retry.status == 429:
                    too_long = (retry.retry_after or 0) > self.settings.max_retry_after
                    if last or too_long:
                        raise RateLimited(
                            f"HTTP 429 Too Many Requests for {target} after {attempt + 1} tries",
                            retry_after=retry.retry_after,
                            source=source,
                            url=str(target),
                        ) from None
                elif last:
                    tries = f" (after {attempt + 1} tries)" if attempt else ""
                    raise FetchError(
                        f"{retry.reason}{tries}",
                        source=source,
                        url=str(target),
                    ) from retry.cause
                delay = self._backoff(attempt, retry.retry_after)
                log.info(
                    "%s %s: %s, retry in %.2fs", source, redact(str(target)), retry.reason, delay
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    def _gate(self, host: str) -> _HostGate:
        gate = self._gates.get(host)
        if gate is None:
            rate = self.settings.host_rate_overrides.get(host, self.settings.per_host_rate)
            gate = _HostGate(host, self.settings.per_host_concurrency, rate, self._pacer)
            self._gates[host] = gate
        return gate

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        delay = backoff(
            attempt, base=self.settings.backoff_base, cap=self.settings.backoff_max, spread=0.5
        )
        if retry_after is not None:
            delay = max(delay, retry_after)
        return delay

    async def _once(
        self,
        method: str,
        url: URL,
        headers: Mapping[str, str] | None,
        data: Any,
        source: str,
    ) -> FetchResponse:
        try:
            async with self.session.request(
                method, url, headers=headers, data=data, allow_redirects=True
            ) as resp:
                return await self._read(resp, url, source)
        except TimeoutError:
            raise _Retry(f"{url.host} did not answer in time (timed out)") from None
        except aiohttp.ClientPayloadError as exc:
            raise _Retry(f"truncated or corrupt body ({exc})") from None
        except aiohttp.InvalidURL as exc:
            raise FetchError(f"invalid URL ({exc})", source=source, url=str(url)) from exc
        except aiohttp.ClientConnectorDNSError as exc:
            # A name that does not resolve will not resolve a second later: the next poll retries.
            raise FetchError(
                f"cannot resolve {url.host}: no internet connection, or no such site",
                source=source,
                url=str(url),
            ) from exc
        except aiohttp.ClientConnectorError as exc:
            if guard.is_refusal(exc):
                raise guard.AddressNotAllowed(
                    guard.NOT_ALLOWED, source=source, url=str(url)
                ) from None
            raise _Retry(f"cannot connect to {url.host}", cause=exc) from None
        except aiohttp.ClientError as exc:
            raise _Retry(f"connection to {url.host} failed ({exc})", cause=exc) from None

    async def _read(self, resp: aiohttp.ClientResponse, url: URL, source: str) -> FetchResponse:
        final_url = str(resp.url)
        status = resp.status
        if status == 304:
            return self._response(resp, b"", source)
        if status == 429 or status >= 500:
            body = await self._read_capped(resp, _ERROR_BODY_CAP, source, truncate=True)
            check_antibot(body, url=final_url, status=status, headers=resp.headers, source=source)
            raise _Retry(
                f"site answered HTTP {status}", retry_after=_retry_after(resp), status=status
            )
        if status >= 400:
            body = await self._read_capped(resp, _ERROR_BODY_CAP, source, truncate=True)
            check_antibot(body, url=final_url, status=status, headers=resp.headers, source=source)
            raise FetchError(
                f"HTTP {status} for {final_url}", source=source, url=final_url, status=status
            )
        declared = resp.content_length
        if declared is not None and declared > self.settings.max_bytes:
            raise ResponseTooLarge(
                f"answer of {declared} bytes exceeds the {self.settings.max_bytes}-byte cap",
                source=source,
                url=final_url,
            )
        body = await self._read_capped(resp, self.settings.max_bytes, source)
        check_antibot(body, url=final_url, status=status, headers=resp.headers, source=source)
        return self._response(resp, body, source)

    async def _read_capped(
        self, resp: aiohttp.ClientResponse, cap: int, source: str, *, truncate: bool = False
    ) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > cap:
                if truncate:
                    chunks.append(chunk[: len(chunk) - (size - cap)])
                    break
                # Closing drops the connection instead of draining the rest into memory.
                resp.close()
                raise ResponseTooLarge(
                    f"answer exceeds the {cap}-byte cap", source=source, url=str(resp.url)
                )
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _response(resp: aiohttp.ClientResponse, body: bytes, source: str) -> FetchResponse:
        return FetchResponse(
            status=resp.status,
            url=str(resp.url),
            body=body,
            content_type=resp.content_type or "",
            charset=resp.charset,
            etag=resp.headers.get("ETag"),
            last_modified=resp.headers.get("Last-Modified"),
            source=source,
        )


def _retry_after(resp: aiohttp.ClientResponse) -> float | None:
    value = resp.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
