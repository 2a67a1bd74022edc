"""The fetch path against a real local server: retries, limits, caps, anti-bot pages."""

from __future__ import annotations

import time

import pytest

from scrapers.errors import AntiBotPage, FetchError, RateLimited, ResponseTooLarge
from scrapers.fetch import Fetcher, FetchSettings, make_client_session
from tests.fakes.site_server import SiteServer


async def test_get_returns_body_and_validators(site_server: SiteServer, fetcher: Fetcher) -> None:
    site_server.add(
        "/page",
        "<html><body>привет</body></html>",
        charset="utf-8",
        headers={"ETag": '"v1"', "Last-Modified": "Mon, 01 Jun 2026 10:00:00 GMT"},
    )
    response = await fetcher.get(site_server.url("/page"))
    assert response.status == 200
    assert "привет" in response.text()
    assert response.etag == '"v1"'
    assert response.last_modified == "Mon, 01 Jun 2026 10:00:00 GMT"
    seen = site_server.requests[0]
    assert "Mozilla/5.0" in seen.headers["User-Agent"]
    assert seen.headers["Accept-Language"].startswith("ru-RU")
    assert "br" in seen.headers["Accept-Encoding"]


async def test_conditional_request_gets_304(site_server: SiteServer, fetcher: Fetcher) -> None:
    site_server.add("/feed", b"", status=304)
    response = await fetcher.get(site_server.url("/feed"), etag='"v1"', last_modified="X")
    assert response.not_modified
    assert site_server.requests[0].headers["If-None-Match"] == '"v1"'
    assert site_server.requests[0].headers["If-Modified-Since"] == "X"


async def test_5xx_is_retried_then_succeeds(site_server: SiteServer, fetcher: Fetcher) -> None:
    site_server.add("/flaky", b"down", status=503, times=2)
    site_server.add("/flaky", b"{}", content_type="application/json")
    response = await fetcher.get(site_server.url("/flaky"))
    assert response.json() == {}
    assert len(site_server.hits("/flaky")) == 3


async def test_5xx_exhausting_retries_names_status(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    site_server.add("/down", b"down", status=502)
    with pytest.raises(FetchError, match="HTTP 502"):
        await fetcher.get(site_server.url("/down"))
    assert len(site_server.hits("/down")) == 3


async def test_404_is_not_retried(site_server: SiteServer, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match=r"HTTP 404 for http://127\.0\.0\.1"):
        await fetcher.get(site_server.url("/missing"), source="rss")
    assert len(site_server.hits("/missing")) == 1


async def test_429_honours_retry_after(site_server: SiteServer, fetcher: Fetcher) -> None:
    site_server.add("/busy", b"slow down", status=429, headers={"Retry-After": "1"}, times=1)
    site_server.add("/busy", b"ok")
    started = time.monotonic()
    response = await fetcher.get(site_server.url("/busy"))
    assert response.body == b"ok"
    assert time.monotonic() - started >= 0.9


async def test_429_exhausted_raises_rate_limited(site_server: SiteServer, fetcher: Fetcher) -> None:
    site_server.add("/busy", b"slow down", status=429, headers={"Retry-After": "0"})
    with pytest.raises(RateLimited) as caught:
        await fetcher.get(site_server.url("/busy"))
    assert caught.value.retry_after == 0
    assert len(site_server.hits("/busy")) == 3


async def test_429_asking_too_long_gives_up_at_once(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    site_server.add("/busy", b"", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(RateLimited) as caught:
        await fetcher.get(site_server.url("/busy"))
    assert caught.value.retry_after == 3600
    assert len(site_server.hits("/busy")) == 1


async def test_timeout_is_retried_then_reported(site_server: SiteServer) -> None:
    settings = FetchSettings(read_timeout=0.2, retries=1, backoff_base=0.01, per_host_rate=0)
    site_server.add_handler("/slow", SiteServer.slow(1.0))
    async with make_client_session(settings) as session:
        with pytest.raises(FetchError, match="timed out"):
            await Fetcher(session, settings).get(site_server.url("/slow"))
    assert len(site_server.hits("/slow")) == 2


async def test_truncated_body_is_an_error(site_server: SiteServer, fetcher: Fetcher) -> None:
    site_server.add_handler("/cut", SiteServer.truncated(b"<html><body>half", declared=10_000))
    with pytest.raises(FetchError, match="truncated|connection"):
        await fetcher.get(site_server.url("/cut"))


async def test_huge_answer_is_not_read_into_memory(site_server: SiteServer) -> None:
    settings = FetchSettings(max_bytes=1024 * 1024, retries=0, per_host_rate=0, read_timeout=2)
    site_server.add_handler("/huge", site_server.huge(200 * 1024 * 1024))
    async with make_client_session(settings) as session:
        with pytest.raises(ResponseTooLarge):
            await Fetcher(session, settings).get(site_server.url("/huge"))
    # The server got to push only what the socket buffers took, not the 200 MB.
    assert site_server.bytes_sent.get("/huge", 0) < 50 * 1024 * 1024


async def test_declared_length_over_cap_fails_before_reading(
    site_server: SiteServer,
) -> None:
    settings = FetchSettings(max_bytes=1024, retries=0, per_host_rate=0)
    site_server.add("/big", b"x" * 5000)
    async with make_client_session(settings) as session:
        with pytest.raises(ResponseTooLarge, match="5000 bytes"):
            await Fetcher(session, settings).get(site_server.url("/big"))


@pytest.mark.parametrize(
    ("body", "status", "name"),
    [
        (
            b"<html><head><title>Just a moment...</title></head><body>cf-chl</body></html>",
            503,
            "Cloudflare",
        ),
        (b'<!DOCTYPE html><html><body><form action="/checkcaptcha">', 200, "SmartCaptcha"),
        (b"<html><head><title>Access Denied</title></head></html>", 403, "access denied"),
        (b"<html><body><script src='/__qrator/qauth.js'></script></body></html>", 401, "Qrator"),
    ],
)
async def test_antibot_pages_are_recognised(
    site_server: SiteServer, fetcher: Fetcher, body: bytes, status: int, name: str
) -> None:
    site_server.add("/wall", body, status=status)
    with pytest.raises(AntiBotPage, match=name):
        await fetcher.get(site_server.url("/wall"))
    assert len(site_server.hits("/wall")) == 1


async def test_redirect_to_showcaptcha_is_antibot(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    site_server.add("/org", b"", status=302, headers={"Location": "/showcaptcha?retpath=x"})
    site_server.add("/showcaptcha", b"<html><body>robot?</body></html>")
    with pytest.raises(AntiBotPage, match="SmartCaptcha"):
        await fetcher.get(site_server.url("/org"))


async def test_json_mentioning_access_denied_is_content(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    site_server.add(
        "/api", b'{"text": "<title>Access denied</title>"}', content_type="application/json"
    )
    assert (await fetcher.get(site_server.url("/api"))).json()["text"].endswith("</title>")


async def test_windows_1251_page_decodes(site_server: SiteServer, fetcher: Fetcher) -> None:
    html = '<html><head><meta charset="windows-1251"></head><body>Кофемания</body></html>'
    site_server.add("/cp", html.encode("windows-1251"))
    assert "Кофемания" in (await fetcher.get(site_server.url("/cp"))).text()


async def _five_requests(site_server: SiteServer, settings: FetchSettings) -> float:
    """Seconds five requests in a row to the test server take."""
    site_server.add("/r", b"ok")
    async with make_client_session(settings) as session:
        fetcher = Fetcher(session, settings)
        started = time.monotonic()
        for _ in range(5):
            await fetcher.get(site_server.url("/r"))
        return time.monotonic() - started


async def test_per_host_rate_spaces_requests(site_server: SiteServer) -> None:
    settings = FetchSettings(per_host_rate=20, per_host_concurrency=4, retries=0)
    assert await _five_requests(site_server, settings) >= 4 / 20 * 0.9


async def test_a_hosts_own_rate_replaces_the_default(site_server: SiteServer) -> None:
    # One request a second everywhere would make these five take four seconds.
    settings = FetchSettings(
        per_host_rate=1, host_rate_overrides={"127.0.0.1": 50}, per_host_concurrency=4, retries=0
    )
    assert 4 / 50 * 0.9 <= await _five_requests(site_server, settings) < 2


async def test_non_http_url_is_refused(fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="not an http"):
        await fetcher.get("file:///etc/passwd")
