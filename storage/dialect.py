"""Dialect-specific INSERT ... ON CONFLICT DO NOTHING for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_ignoring_conflicts(session: AsyncSession, model: Any) -> Any:
    name = session.get_bind().dialect.name
    module = postgresql if name == "postgresql" else sqlite
    return module.insert(model).on_conflict_do_nothing()


def bulk_insert_ignoring_conflicts(session: AsyncSession, model: Any) -> Any:
    """The same for many rows passed as a list of dicts at execute time: on the Core table,
    so SQLAlchemy batches them (insertmanyvalues) without the ORM's per-row work."""
    return insert_ignoring_conflicts(session, model.__table__)
