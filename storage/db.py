"""Engine, sessions and schema migration: the one place that knows database URLs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

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

    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Processes of a deployment start together: one migrates, the others wait for it
            # and then find nothing to do (the lock ends with the transaction).
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
            )
        await connection.run_sync(run)
