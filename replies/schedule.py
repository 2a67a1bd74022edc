"""When a thank-you for praise goes out: after the delay, and only inside the brand's work
hours, so a review at 23:50 is thanked in the morning, not at midnight."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def thanks_due(
    seen_at: datetime,
    *,
    delay_minutes: int,
    work_start: str,
    work_end: str,
    work_days: str,
    tz: str,
) -> datetime:
    """The first moment at least `delay_minutes` after `seen_at` that falls in work hours
    (work_start == work_end means round the clock); UTC."""
    zone = ZoneInfo(tz)
    moment = (seen_at + timedelta(minutes=delay_minutes)).astimezone(zone)
    start, end = _hhmm(work_start), _hhmm(work_end)
    days = {int(day) for day in work_days if day.isdigit()} or set(range(1, 8))
    if start == end:
        return moment.astimezone(UTC)
    for offset in range(8):
        day = moment.date() + timedelta(days=offset)
        for begin_day in (day - timedelta(days=1), day):  # an overnight shift starts the day before
            window_start = datetime.combine(begin_day, start, zone)
            window_end = datetime.combine(begin_day, end, zone)
            if end < start:
                window_end += timedelta(days=1)
            if begin_day.isoweekday() not in days or window_end <= moment:
                continue
            return max(moment, window_start).astimezone(UTC)
    return moment.astimezone(UTC)
