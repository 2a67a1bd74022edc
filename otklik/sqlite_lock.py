"""SQLite serves one process: a second `otklik run` or `scan` on the same file would poll the
same sources and send the same outbox rows, so it refuses to start instead.

The lock is an exclusive `flock` on a file beside the database, held for the life of the
runtime; the kernel drops it when the process dies, even by SIGKILL, so nothing goes stale.
It is a separate file because closing any descriptor of the database file itself would drop
SQLite's own POSIX locks in this process.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from common.errors import OtklikError


class DatabaseInUse(OtklikError):
    """Another process already runs Otklik on this SQLite file."""


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser().resolve()


@contextmanager
def single_process(url: str) -> Iterator[None]:
    """Hold the database for this process; raise DatabaseInUse if another one holds it."""
    database = sqlite_file(url)
    if database is None:
        yield
        return
    database.parent.mkdir(parents=True, exist_ok=True)
    lock_path = database.with_name(database.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise DatabaseInUse(
                f"the SQLite database {database} is already used by another otklik process "
                f"(pid {holder}). SQLite serves one process: stop that one first, or move to "
                "PostgreSQL (OTKLIK_DATABASE_URL=postgresql+asyncpg://...) to run several."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        yield
    finally:
        os.close(fd)
