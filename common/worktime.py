"""Working-time arithmetic: response deadlines and shift windows in a brand's time zone.

A review at 23:00 with a one-hour target is due an hour after the next shift opens.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


def parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def due_at(
    opened_at: datetime,
    *,
    minutes: int,
    work_start: str = "09:00",
    work_end: str = "21:00",
    work_days: str = "1234567",
    tz: str = "Europe/Moscow",
) -> datetime:
    """The moment `minutes` of working time have passed since `opened_at` (UTC result).

    Working time is [work_start, work_end) local time on ISO weekdays listed in work_days
    ("12345" = Monday to Friday). work_start == work_end means round the clock.
    """
    zone = ZoneInfo(tz)
    start, end = parse_hhmm(work_start), parse_hhmm(work_end)
    days = {int(day) for day in work_days if day.isdigit()} or set(range(1, 8))
    if start == end:
        return opened_at.astimezone(UTC) + timedelta(minutes=minutes)

    remaining = timedelta(minutes=minutes)
    cursor = opened_at.astimezone(zone)
    day = cursor.date()
    if end < start:  # at 01:00 the night shift that began yesterday is still on
        day -= timedelta(days=1)
    for _ in range(3660):  # ten years of days: ends even for an absurd schedule
        window_start = datetime.combine(day, start, zone)
        window_end = datetime.combine(day, end, zone)
        if end < start:  # overnight shift, e.g. 18:00–02:00
            window_end += timedelta(days=1)
        if day.isoweekday() in days and cursor < window_end:
            begin = max(cursor, window_start)
            available = window_end - begin
            if remaining <= available:
                return (begin + remaining).astimezone(UTC)
            remaining -= available
        day += timedelta(days=1)
        cursor = max(cursor, datetime.combine(day, time(0), zone))
    raise ValueError(f"no working time in schedule {work_start}-{work_end} on days {work_days!r}")


class WorkSchedule(Protocol):
    """A brand's response target and working hours (storage's BrandRecord has them)."""

    @property
    def response_minutes(self) -> int: ...
    @property
    def work_start(self) -> str: ...
    @property
    def work_end(self) -> str: ...
    @property
    def work_days(self) -> str: ...
    @property
    def timezone(self) -> str: ...


def response_due(opened_at: datetime, brand: WorkSchedule) -> datetime:
    """When a case opened at `opened_at` owes its first response under the brand's schedule."""
    return due_at(
        opened_at,
        minutes=brand.response_minutes,
        work_start=brand.work_start,
        work_end=brand.work_end,
        work_days=brand.work_days,
        tz=brand.timezone,
    )
