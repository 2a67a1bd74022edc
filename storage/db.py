"""Engine, sessions and schema migration: the one place that knows database URLs."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from common.backoff import backoff
from common.errors import OtklikError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# PostgreSQL advisory lock keys ("otkl", "otkm").
_MIGRATION_LOCK = 0x6F746B6C
_CONFIG_LOCK = 0x6F746B6D


def is_postgresql(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Create the process's engine. SQLite gets WAL, foreign keys and a busy timeout so the
    poller, the sender and the bot can share one file."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_async_engine(parsed, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


class DatabaseUnreachable(OtklikError):
    """The database did not answer within the wait allowed at start."""


async def wait_until_reachable(
    engine: AsyncEngine,
    *,
    patience: float,
    on_retry: Callable[[str, float], None],
    first_delay: float = 0.5,
    max_delay: float = 10.0,
) -> None:
    """Connect, retrying with doubling pauses for up to `patience` seconds (a database that is
    still starting, as after a reboot); `on_retry(reason, pause)` before each pause."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + patience
    for attempt in itertools.count():
        delay = backoff(attempt, base=first_delay, cap=max_delay)
        try:
            async with engine.connect():
                return
        except (OSError, DBAPIError) as exc:
            reason = _reason(exc)
            if loop.time() + delay > give_up:
                raise DatabaseUnreachable(reason) from exc
            on_retry(reason, delay)
        await asyncio.sleep(delay)


def _reason(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {text[0]}" if text else type(cause).__name__


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


async def exclusive(session: AsyncSession) -> None:
    """Hold the deployment-wide config lock until the session's transaction ends: processes
    starting together sync the brands file one after the other (a no-op on SQLite, which
    serves one process)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CONFIG_LOCK})


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply migrations on the given engine's database (run from async code)."""
    await _run_alembic(engine, "upgrade", revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    await _run_alembic(engine, "downgrade", revision)


async def _run_alembic(engine: AsyncEngine, command_name: str, revision: str) -> None:
    from alembic import command

    def run(connection: Any) -> None:
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        getattr(command, command_name)(config, revision)

    async with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild a table and drop the old copy; with foreign keys on,
            # that drop would cascade-delete every row referring to it (a brand's sources,
            # mentions, cases). The pragma only takes effect outside a transaction.
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.commit()
        try:
            async with connection.begin():
                if connection.dialect.name == "postgresql":
                    # Processes of a deployment start together: one migrates, the others wait
                    # for it and then find nothing to do (the lock ends with the transaction).
                    await connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
                    )
                await connection.run_sync(run)
        finally:
            if sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                await connection.commit()
