"""When a thank-you goes out: after the delay, inside the brand's work hours."""

from __future__ import annotations

from datetime import UTC, datetime

from replies.schedule import thanks_due

MOSCOW = {"work_start": "09:00", "work_end": "21:00", "work_days": "12345", "tz": "Europe/Moscow"}


def test_inside_work_hours_the_delay_is_all() -> None:
    seen = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday 12:00 in Moscow
    assert thanks_due(seen, delay_minutes=30, **MOSCOW) == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_late_evening_waits_for_the_morning_and_the_weekend_for_monday() -> None:
    evening = datetime(2026, 3, 2, 17, 50, tzinfo=UTC)  # Monday 20:50 in Moscow
    assert thanks_due(evening, delay_minutes=30, **MOSCOW) == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)
    friday = datetime(2026, 3, 6, 17, 50, tzinfo=UTC)
    assert thanks_due(friday, delay_minutes=30, **MOSCOW) == datetime(2026, 3, 9, 6, 0, tzinfo=UTC)


def test_overnight_shift_and_round_the_clock() -> None:
    night = {"work_start": "18:00", "work_end": "02:00", "work_days": "1234567", "tz": "UTC"}
    seen = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # inside the shift that began the day before
    assert thanks_due(seen, delay_minutes=30, **night) == datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    seen = datetime(2026, 3, 2, 1, 50, tzinfo=UTC)
    assert thanks_due(seen, delay_minutes=30, **night) == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    always = {"work_start": "00:00", "work_end": "00:00", "work_days": "1234567", "tz": "UTC"}
    assert thanks_due(seen, delay_minutes=30, **always) == datetime(2026, 3, 2, 2, 20, tzinfo=UTC)
