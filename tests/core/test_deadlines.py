"""Deadlines count working time only."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from common.worktime import due_at


def msk(day: int, hour: int, minute: int = 0) -> datetime:
    # 2026-11-23 is a Monday; Moscow is UTC+3 all year.
    return datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo("Europe/Moscow")).astimezone(UTC)


def test_inside_working_hours_it_is_plain_addition() -> None:
    assert due_at(msk(23, 10), minutes=60) == msk(23, 11)


def test_after_hours_the_clock_starts_next_morning() -> None:
    assert due_at(msk(23, 20, 30), minutes=60) == msk(24, 9, 30)
    assert due_at(msk(23, 23), minutes=60) == msk(24, 10)


def test_weekends_are_skipped_for_a_weekday_schedule() -> None:
    # Friday 20:45 + 1 h with Mon–Fri 09–21 → Monday 09:45.
    assert due_at(msk(27, 20, 45), minutes=60, work_days="12345") == msk(30, 9, 45)


def test_round_the_clock() -> None:
    assert due_at(msk(23, 23), minutes=90, work_start="00:00", work_end="00:00") == msk(24, 0, 30)


def test_a_night_shift_that_began_yesterday_counts() -> None:
    night = {"work_start": "18:00", "work_end": "02:00"}
    # Tuesday 01:00 is inside Monday's 18:00–02:00 shift; 01:50 + 30 min spills into Tuesday's.
    assert due_at(msk(24, 1), minutes=30, **night) == msk(24, 1, 30)
    assert due_at(msk(24, 1, 50), minutes=30, **night) == msk(24, 18, 20)
    assert due_at(msk(24, 3), minutes=0, **night) == msk(24, 18)
