"""The parts `otklik run --role` can give a process (otklik.deployment runs them)."""

from __future__ import annotations

from enum import StrEnum

from common.errors import ConfigError
from storage.db import is_postgresql


class Role(StrEnum):
    ALL = "all"
    POLL = "poll"
    CLASSIFY = "classify"
    SEND = "send"
    BOT = "bot"
    JOBS = "jobs"


EVERY_ROLE = frozenset(Role) - {Role.ALL}


def parse_roles(text: str) -> frozenset[Role]:
    """'poll,send' → {poll, send}; `all` stands for every role."""
    try:
        roles = frozenset(Role(part.strip()) for part in text.split(",") if part.strip())
    except ValueError:
        known = ", ".join(role.value for role in Role)
        raise ConfigError(f"--role {text!r}: roles are {known} (several: poll,send)") from None
    return EVERY_ROLE if not roles or Role.ALL in roles else roles


def uses_job_queue(database_url: str) -> bool:
    """PostgreSQL deployments share their work through the job queue; SQLite is one process."""
    return is_postgresql(database_url)
