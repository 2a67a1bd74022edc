"""Report periods are whole local days, also across a daylight-saving change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from reports import PeriodError, month_period, parse_period, week_before


def test_week_across_the_end_of_summer_time_is_seven_local_days() -> None:
    week = week_before(date(2026, 10, 26), "Europe/Berlin")  # clocks went back on Oct 25
    assert week.first_day == date(2026, 10, 19) and week.last_day == date(2026, 10, 25)
    assert week.start == datetime(2026, 10, 18, 22, tzinfo=UTC)
    assert week.end == datetime(2026, 10, 25, 23, tzinfo=UTC)
    assert week.end - week.start == timedelta(days=7, hours=1)
    assert week.day_of(datetime(2026, 10, 25, 22, 59, tzinfo=UTC)) == date(2026, 10, 25)
    assert week.previous().first_day == date(2026, 10, 12)


def test_period_specs() -> None:
    now = datetime(2026, 10, 12, 7, 0, tzinfo=UTC)
    days = parse_period("30d", now, "Europe/Moscow")
    assert (days.first_day, days.last_day) == (date(2026, 9, 13), date(2026, 10, 12))
    assert days.previous().last_day == date(2026, 9, 12)
    assert parse_period(None, now, "Europe/Moscow").days == 7
    february = parse_period("2026-02", now, "Europe/Moscow")
    assert february.days == 28 and february.previous() == month_period(2026, 1, "Europe/Moscow")
    assert february.previous().days == 31
    assert parse_period("2026-02", now, "Europe/Moscow").cutoff(now) == february.end
    for bad in ("week", "0d", "400d", "2026-13", "2027-01"):
        with pytest.raises(PeriodError):
            parse_period(bad, now, "Europe/Moscow")
