"""Which addresses the fetch layer may connect to: public ones, plus what the operator allows.

An owner's URL must never reach the machine's own services, the intranet or a cloud metadata
endpoint. The check runs twice:
- on the URL before any request: http(s) only, no user name or password, and a host written as
  an address (also in the hex, decimal and octal forms resolvers accept) must be allowed;
- in the connector, on the address of every socket it opens (first request and each redirect),
  after DNS: a name that resolves, or later re-resolves, to a private address is refused, so
  DNS rebinding cannot pass.
A refusal says "address not allowed" and nothing about what answers there.

`OTKLIK_ALLOW_PRIVATE_ADDRESSES` (addresses or networks, comma-separated) lets tests and
intranet feeds through.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from collections.abc import Callable, Iterable
from typing import Any

from yarl import URL

from scrapers.errors import FetchError

ALLOW_ENV = "OTKLIK_ALLOW_PRIVATE_ADDRESSES"
NOT_ALLOWED = "address not allowed"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# Hosts the C resolver would read as an IPv4 address: 2130706433, 0x7f000001, 0177.1, 127.1.
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}\.?$", re.I)


class AddressNotAllowed(FetchError):
    """The URL points at a private, loopback or otherwise non-public address."""


class _Refused(OSError):
    """Raised inside the connector; the fetcher turns it into AddressNotAllowed."""


def allowance_from_environment() -> tuple[str, ...]:
    """The operator's allowance, for fetch settings built without the core's Settings."""
    return split_allowance(os.environ.get(ALLOW_ENV, ""))


def split_allowance(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def parse_allowance(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or networks; a bad entry raises ValueError naming it."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip().strip("[]"), strict=False))
        except ValueError as exc:
            raise ValueError(f"{entry!r} is not an IP address or network") from exc
    return tuple(networks)


def is_allowed(address: Address, allowed: tuple[Network, ...]) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in allowed):
        return True
    return address.is_global and not address.is_multicast


def literal_address(host: str) -> Address | None:
    """The address a host names by itself, in any form a resolver accepts; None for a name."""
    bare = host.strip("[]").split("%")[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if _NUMERIC_HOST.match(bare):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare.rstrip(".")))
        except OSError:
            return None
    return None


def check_url(url: URL, allowed: tuple[Network, ...], *, source: str = "") -> None:
    """Refuse what no connection may even start for; the connector checks the rest."""
    if url.scheme not in ("http", "https") or not url.raw_host:
        raise FetchError(f"not an http(s) URL: {str(url)!r}", source=source, url=str(url))
    shown = str(url.with_user(None).with_query(None))
    if url.raw_user is not None or url.raw_password is not None:
        raise AddressNotAllowed(
            f"{NOT_ALLOWED}: URLs with a user name or password are refused",
            source=source,
            url=shown,
        )
    address = literal_address(url.raw_host)
    if address is not None and not is_allowed(address, allowed):
        raise AddressNotAllowed(NOT_ALLOWED, source=source, url=shown)


def is_refusal(exc: BaseException) -> bool:
    """Whether an aiohttp connection error came from the guard."""
    return isinstance(getattr(exc, "os_error", None), _Refused) or isinstance(exc, _Refused)


def socket_factory(allowed: tuple[Network, ...]) -> Callable[[Any], socket.socket]:
    """For aiohttp's connector: the address checked is the one the socket connects to."""

    def make(addr_info: Any) -> socket.socket:
        family, type_, proto, _, sockaddr = addr_info
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if not is_allowed(address, allowed):
            raise _Refused(NOT_ALLOWED)
        return socket.socket(family=family, type=type_, proto=proto)

    return make
