"""Plain records that repositories return; ORM rows never leave a session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """A message waiting for delivery. `kind` says how the notifier renders it:
    alert (mention_id, case_id), health / reminder / escalation / text (payload["text"]),
    digest (payload: brand_id, period_start, period_end as ISO strings)."""

    id: int
    dedup_key: str
    chat_id: int
    brand_id: int | None
    kind: str
    mention_id: int | None
    case_id: int | None
    payload: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0
    created_at: datetime | None = None
