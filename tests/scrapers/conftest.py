"""Fixtures for source tests: a local site server and a fetcher with tiny timeouts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from scrapers.fetch import Fetcher, FetchSettings, make_client_session
from tests.fakes.site_server import SiteServer

PAGES = Path(__file__).resolve().parents[1] / "pages"
SHARED_FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures"
REVIEW_SITE_KINDS = (
    "yandex_maps",
    "twogis",
    "flamp",
    "google_maps",
    "google_business",
    "otzovik",
    "irecommend",
    "zoon",
    "trustpilot",
)


def page(kind: str, name: str) -> bytes:
    """One of the project's own test pages (tests/pages/<kind>/<name>)."""
    return (PAGES / kind / name).read_bytes()


def shared_fixture(relative: str) -> bytes:
    """A real recording from ../shared/fixtures, or skip when that folder is absent."""
    path = SHARED_FIXTURES / relative
    if not path.is_file():
        pytest.skip(f"shared recording {relative} not found at {path.resolve()} (no ../shared)")
    return path.read_bytes()


@pytest.fixture
def fetch_settings() -> FetchSettings:
    return FetchSettings(
        connect_timeout=1.0,
        read_timeout=0.5,
        total_timeout=2.0,
        retries=2,
        backoff_base=0.01,
        backoff_max=0.05,
        max_retry_after=2.0,
        per_host_concurrency=8,
        per_host_rate=0,
    )


@pytest.fixture
async def site_server() -> AsyncIterator[SiteServer]:
    server = SiteServer()
    await server.start()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def fetcher(fetch_settings: FetchSettings) -> AsyncIterator[Fetcher]:
    session = make_client_session(fetch_settings)
    try:
        yield Fetcher(session, fetch_settings)
    finally:
        await session.close()
