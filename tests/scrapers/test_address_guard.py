"""The fetch layer refuses internal addresses in every spelling, after redirects and DNS.

Every target is a server this test runs on loopback and counts hits on: a refusal means the
request never reached it, not merely that its answer was thrown away.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

import pytest
from aiohttp import web

from scrapers import guard
from scrapers.errors import FetchError
from scrapers.fetch import Fetcher, FetchSettings, make_client_session


class Target:
    """A server on one loopback address that counts the requests reaching it."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.hits = 0
        self.port = 0
        self.redirect_to: str | None = None
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        async def handler(_request: web.Request) -> web.StreamResponse:
            self.hits += 1
            if self.redirect_to:
                raise web.HTTPFound(self.redirect_to)
            return web.Response(text="internal secret")

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        assert site._server is not None
        self.port = site._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


Start = Callable[[str], "Target"]


@pytest.fixture
async def targets() -> AsyncIterator[Callable[[str], Target]]:
    started: list[Target] = []

    def make(host: str) -> Target:
        target = Target(host)
        started.append(target)
        return target

    yield make
    for target in started:
        await target.close()


def settings(allow: tuple[str, ...] = ()) -> FetchSettings:
    return FetchSettings(
        connect_timeout=1.0,
        read_timeout=1.0,
        total_timeout=2.0,
        retries=1,
        backoff_base=0.01,
        per_host_rate=0,
        allow_private=allow,
    )


async def fetch(url: str, fetch_settings: FetchSettings) -> None:
    async with make_client_session(fetch_settings) as session:
        await Fetcher(session, fetch_settings).get(url, source="rss")


@pytest.mark.parametrize(
    "spelling",
    [
        "127.0.0.1",
        "0x7f000001",  # hex
        "2130706433",  # decimal
        "0177.0.0.1",  # octal
        "127.1",  # short form
        "localhost",  # a name that resolves to loopback
    ],
)
async def test_loopback_v4_in_every_spelling_is_refused(
    targets: Callable[[str], Target], spelling: str
) -> None:
    target = targets("127.0.0.1")
    await target.start()
    with pytest.raises(guard.AddressNotAllowed, match="address not allowed"):
        await fetch(f"http://{spelling}:{target.port}/latest/meta-data/", settings())
    assert target.hits == 0


async def test_loopback_v6_is_refused(targets: Callable[[str], Target]) -> None:
    target = targets("::1")
    await target.start()
    for url in (f"http://[::1]:{target.port}/", f"http://[::ffff:127.0.0.1]:{target.port}/"):
        with pytest.raises(guard.AddressNotAllowed, match="address not allowed"):
            await fetch(url, settings())
    assert target.hits == 0


async def test_userinfo_urls_are_refused(targets: Callable[[str], Target]) -> None:
    target = targets("127.0.0.1")
    await target.start()
    allow = settings(("127.0.0.1",))  # even where the address itself would be allowed
    for url in (
        f"http://user:hunter2@127.0.0.1:{target.port}/",
        f"http://user@127.0.0.1:{target.port}/",
        "https://example.com@127.0.0.1/",
    ):
        with pytest.raises(guard.AddressNotAllowed, match="user name or password") as caught:
            await fetch(url, allow)
        assert "hunter2" not in str(caught.value)
    assert target.hits == 0


async def test_redirect_to_loopback_is_refused(targets: Callable[[str], Target]) -> None:
    inside_v4, inside_v6, front = targets("127.0.0.2"), targets("::1"), targets("127.0.0.1")
    for target in (inside_v4, inside_v6, front):
        await target.start()
    only_front = settings(("127.0.0.1",))  # the feed's own address is allowed, nothing else
    for destination in (
        f"http://127.0.0.2:{inside_v4.port}/admin",
        f"http://[::1]:{inside_v6.port}/admin",
        f"http://0x7f000002:{inside_v4.port}/admin",
    ):
        front.redirect_to = destination
        with pytest.raises(guard.AddressNotAllowed, match="address not allowed"):
            await fetch(f"http://127.0.0.1:{front.port}/feed.xml", only_front)
    assert front.hits == 3
    assert inside_v4.hits == inside_v6.hits == 0


async def test_refusal_does_not_tell_open_ports_from_closed(
    targets: Callable[[str], Target],
) -> None:
    target = targets("127.0.0.1")
    await target.start()
    closed = targets("127.0.0.1")
    await closed.start()
    closed_port = closed.port
    await closed.close()
    errors = []
    for port in (target.port, closed_port):
        with pytest.raises(FetchError) as caught:
            await fetch(f"http://localhost:{port}/", settings())
        errors.append(str(caught.value).replace(str(port), "PORT"))
    assert errors[0] == errors[1] == "rss http://localhost:PORT/: address not allowed"


async def test_allowance_lets_listed_addresses_through(targets: Callable[[str], Target]) -> None:
    target = targets("127.0.0.1")
    await target.start()
    await fetch(f"http://localhost:{target.port}/", settings(("127.0.0.0/8",)))
    assert target.hits == 1
    with pytest.raises(guard.AddressNotAllowed):
        await fetch(f"http://localhost:{target.port}/", replace(settings(), allow_private=("::1",)))


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.216.34", True),
        ("2606:4700:4700::1111", True),
        ("169.254.169.254", False),  # cloud metadata
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:10.0.0.1", False),
    ],
)
def test_public_addresses_only(address: str, allowed: bool) -> None:
    assert guard.is_allowed(ipaddress.ip_address(address), ()) is allowed


def test_bad_allowance_entry_is_named() -> None:
    with pytest.raises(ValueError, match="'intranet' is not an IP address or network"):
        guard.parse_allowance(["10.0.0.0/8", "intranet"])
