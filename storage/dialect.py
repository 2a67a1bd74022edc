"""Dialect-specific SQL for SQLite and PostgreSQL: INSERT ... ON CONFLICT DO NOTHING and the
seconds between two timestamps."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


def insert_ignoring_conflicts(session: AsyncSession, model: Any) -> Any:
    name = session.get_bind().dialect.name
    module = postgresql if name == "postgresql" else sqlite
    return module.insert(model).on_conflict_do_nothing()


def bulk_insert_ignoring_conflicts(session: AsyncSession, model: Any) -> Any:
    """The same for many rows passed as a list of dicts at execute time: on the Core table,
    so SQLAlchemy batches them (insertmanyvalues) without the ORM's per-row work."""
    return insert_ignoring_conflicts(session, model.__table__)


class seconds_between(FunctionElement[float]):  # noqa: N801 (an SQL function, named like one)
    """`later - earlier` in seconds, as a float column expression."""

    type = Float()
    inherit_cache = True

    def __init__(self, later: Any, earlier: Any) -> None:
        super().__init__(later, earlier)


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element: seconds_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"
