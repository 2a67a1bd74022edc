"""Shared fixtures: databases. SQLite in a temp folder; a throwaway database on a real
PostgreSQL server (OTKLIK_TEST_POSTGRES_URL), created per test and dropped after.

Every test fetches from servers it runs on loopback, which the fetch layer refuses by default:
the allowance is set here, once, for in-process fetchers and for the `otklik` processes tests
start. Tests of the guard itself pass their own allowance.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import make_engine, make_sessionmaker, upgrade

TEST_ALLOWED_ADDRESSES = "127.0.0.0/8,::1"
os.environ["OTKLIK_ALLOW_PRIVATE_ADDRESSES"] = TEST_ALLOWED_ADDRESSES

POSTGRES_URL = os.environ.get(
    "OTKLIK_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


async def _admin_connection():  # type: ignore[no-untyped-def]
    import asyncpg

    url = make_url(POSTGRES_URL)
    return await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database=url.database,
        timeout=5,
    )


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh database on the real server; skipped only where no server is reachable."""
    try:
        admin = await _admin_connection()
    except Exception as exc:  # refused, timed out, auth: all mean no usable server
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is required in CI: {exc}")
        pytest.skip(f"no PostgreSQL server reachable at {POSTGRES_URL}: {exc}")
    name = f"otklik_test_{uuid.uuid4().hex[:12]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'otklik.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(db_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'otklik.db'}")
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)
