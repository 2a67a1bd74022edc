"""When a thank-you for praise goes out: after the delay, and only inside the brand's work
hours, so a review at 23:50 is thanked in the morning, not at midnight."""

from __future__ import annotations

from datetime import datetime, timedelta

from common.worktime import due_at


def thanks_due(
    seen_at: datetime,
    *,
    delay_minutes: int,
    work_start: str,
    work_end: str,
    work_days: str,
    tz: str,
) -> datetime:
    """The first working moment at least `delay_minutes` after `seen_at` (UTC)."""
    return due_at(
        seen_at + timedelta(minutes=delay_minutes),
        minutes=0,
        work_start=work_start,
        work_end=work_end,
        work_days=work_days,
        tz=tz,
    )
