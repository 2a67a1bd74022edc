"""Response figures over cases: rate, median time to first response, on time."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from storage.repositories.cases import OPEN_STATUSES, ResponseRow


@dataclass(frozen=True, slots=True)
class ResponseStats:
    total: int
    answered: int
    on_time: int
    open: int
    median_seconds: float | None

    @property
    def rate(self) -> float:
        return self.answered / self.total if self.total else 0.0


def brand_stats(rows: list[ResponseRow]) -> ResponseStats:
    """Ignored cases count as handled only if someone replied; they still count in the total."""
    waits = [
        (r.first_response_at - r.created_at).total_seconds() for r in rows if r.first_response_at
    ]
    on_time = sum(
        1
        for r in rows
        if r.first_response_at and (r.due_at is None or r.first_response_at <= r.due_at)
    )
    return ResponseStats(
        total=len(rows),
        answered=len(waits),
        on_time=on_time,
        open=sum(1 for r in rows if r.status in OPEN_STATUSES),
        median_seconds=statistics.median(waits) if waits else None,
    )


def format_duration(seconds: float | None, lang: str) -> str:
    if seconds is None:
        return "—"
    minutes = int(round(seconds / 60))
    hours, minutes = divmod(minutes, 60)
    h, m = ("ч", "мин") if lang == "ru" else ("h", "min")
    return f"{hours} {h} {minutes} {m}" if hours else f"{minutes} {m}"
