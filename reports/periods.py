"""Report periods: whole local days in a time zone, stored and queried as UTC instants."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from common.errors import OtklikError

DEFAULT_TIMEZONE = "Europe/Moscow"
_DAYS = re.compile(r"^(\d{1,3})d$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodError(OtklikError):
    """A period spec the user typed is not one of 7d, 30d, Nd or YYYY-MM."""


def zone(name: str | None) -> ZoneInfo:
    """The named zone, or the default one when the name is empty or unknown (a bad zone in a
    chat's settings must not stop its digest)."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


@dataclass(frozen=True, slots=True)
class Period:
    """[first_day, last_day] in `timezone`, i.e. [start, end) in UTC."""

    first_day: date
    days: int
    timezone: str
    # week | days | month: how to name it and how to find the one before.
    kind: str = "days"

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.days - 1)

    @property
    def start(self) -> datetime:
        return _local_midnight(self.first_day, self.timezone)

    @property
    def end(self) -> datetime:
        return _local_midnight(self.first_day + timedelta(days=self.days), self.timezone)

    def day_list(self) -> list[date]:
        return [self.first_day + timedelta(days=offset) for offset in range(self.days)]

    def day_of(self, moment: datetime) -> date:
        return moment.astimezone(zone(self.timezone)).date()

    def previous(self) -> Period:
        if self.kind == "month":
            last = self.first_day - timedelta(days=1)
            return month_period(last.year, last.month, self.timezone)
        return Period(
            self.first_day - timedelta(days=self.days), self.days, self.timezone, self.kind
        )

    def cutoff(self, now: datetime) -> datetime:
        """Figures of a period still running are as of now; of a past one, as of its end, so
        a digest rendered late or twice says the same thing."""
        return min(self.end, now)


def week_before(slot_day: date, timezone: str) -> Period:
    """The seven whole days before the day of a digest slot."""
    return Period(slot_day - timedelta(days=7), 7, timezone, "week")


def month_period(year: int, month: int, timezone: str) -> Period:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return Period(first, (following - first).days, timezone, "month")


def parse_period(spec: str | None, now: datetime, timezone: str) -> Period:
    """`7d`, `30d` (any 1–366 days, today included) or a month `YYYY-MM`; empty means 7d."""
    text = (spec or "7d").strip().lower()
    today = now.astimezone(zone(timezone)).date()
    if match := _DAYS.match(text):
        days = int(match.group(1))
        if not 1 <= days <= 366:
            raise PeriodError(f"period {spec!r}: between 1d and 366d")
        return Period(today - timedelta(days=days - 1), days, timezone, "days")
    if match := _MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12 or year < 2000:
            raise PeriodError(f"period {spec!r}: no such month")
        period = month_period(year, month, timezone)
        if period.first_day > today:
            raise PeriodError(f"period {spec!r} has not started yet")
        return period
    raise PeriodError(f"period {spec!r}: use 7d, 30d or a month like 2026-10")


def looks_like_period(text: str) -> bool:
    lowered = text.strip().lower()
    return bool(_DAYS.match(lowered) or _MONTH.match(lowered))


def _local_midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time(0), zone(timezone)).astimezone(UTC)
