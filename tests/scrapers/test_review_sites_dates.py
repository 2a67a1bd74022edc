"""Dates as the Russian review sites print them, resolved in Europe/Moscow."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from scrapers.errors import ParseError
from scrapers.sources._reviews_common import from_epoch, parse_iso, parse_ru_date

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=MSK)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 марта 2024", datetime(2024, 3, 12, tzinfo=MSK)),
        ("12 марта 2024 г.", datetime(2024, 3, 12, tzinfo=MSK)),
        ("1 фев 2026", datetime(2026, 2, 1, tzinfo=MSK)),
        ("5 июля", datetime(2025, 7, 5, tzinfo=MSK)),  # no year, in the future → last year
        ("13 марта в 21:40", datetime(2026, 3, 13, 21, 40, tzinfo=MSK)),
        ("14.03.2026", datetime(2026, 3, 14, tzinfo=MSK)),
        ("сегодня в 09:15", datetime(2026, 3, 15, 9, 15, tzinfo=MSK)),
        ("вчера", datetime(2026, 3, 14, tzinfo=MSK)),
        ("3 дня назад", datetime(2026, 3, 12, 12, 0, tzinfo=MSK)),
        ("неделю назад", datetime(2026, 3, 8, 12, 0, tzinfo=MSK)),
        ("2024-03-12", datetime(2024, 3, 12, tzinfo=MSK)),
        ("2024-03-12T10:00:00Z", datetime(2024, 3, 12, 10, tzinfo=UTC)),
    ],
)
def test_russian_dates(text: str, expected: datetime) -> None:
    parsed = parse_ru_date(text, now=NOW)
    assert parsed == expected and parsed.tzinfo is UTC


@pytest.mark.parametrize("text", ["", "31 февраля 2024", "позже", "1.01.0001", "2024-13-45"])
def test_bad_dates_are_parse_errors(text: str) -> None:
    with pytest.raises(ParseError):
        parse_ru_date(text, now=NOW)


def test_iso_with_nanoseconds_and_epochs() -> None:
    assert parse_iso("2026-03-15T10:00:00.123456789+07:00") == datetime(
        2026, 3, 15, 3, 0, 0, 123456, tzinfo=UTC
    )
    assert (
        from_epoch(1773132137)
        == from_epoch(1773132137000)
        == datetime.fromtimestamp(1773132137, UTC)
    )
    with pytest.raises(ParseError):
        parse_iso("0001-01-01T00:00:00+01:00")
