"""Helpers shared by the map and review-site parsers: dates, ratings, text, JSON, the page record.

The date helpers here are stricter than scrapers.parsing's (see the note there on why both exist).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from bs4 import Tag

from scrapers.antibot import check_antibot
from scrapers.base import Page
from scrapers.entries import Entries, SkippedEntry
from scrapers.errors import AntiBotPage, ParseError
from scrapers.parsing import clean_text
from scrapers.records import ScrapedItem

MOSCOW = ZoneInfo("Europe/Moscow")
_HEAD = 64 * 1024

_MONTHS = {
    "янв": 1,
    "фев": 2,
    "мар": 3,
    "апр": 4,
    "мая": 5,
    "май": 5,
    "июн": 6,
    "июл": 7,
    "авг": 8,
    "сен": 9,
    "окт": 10,
    "ноя": 11,
    "дек": 12,
}
_RU_DATE = re.compile(
    r"(\d{1,2})\s+([а-яё]+)\.?,?\s*(\d{4})?(?:\s*(?:г\.?|года?))?(?:,?\s*(?:в\s*)?(\d{1,2}):(\d{2}))?"
)
_NUM_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?\s*(\d{1,2}):(\d{2}))?")
_RELATIVE = re.compile(
    r"(\d+|одн[ау]|один|две|два|три|четыре)?\s*"
    r"(минут[уы]?|час(?:а|ов)?|д(?:ень|ня|ней)|недел[юиь]|месяц(?:а|ев)?|год(?:а)?|лет)\s+назад"
)
_WORD_NUMBERS = {"одну": 1, "одна": 1, "один": 1, "две": 2, "два": 2, "три": 3, "четыре": 4}

# Phrases of the sites' own captcha walls; looked for only when a page lacks the review layout,
# so a review that quotes one of them cannot be taken for a wall.
SITE_WALL_MARKERS = (
    "/scripts/captcha",
    "g-recaptcha",
    "h-captcha",
    "smart-captcha",
    "вы не робот",
    "подтвердите, что запросы отправляли вы",
    "доступ ограничен",
    "access to this page has been denied",
)


@dataclass(slots=True)
class ParsedPage:
    """What one page or API answer gives: its reviews (as listed) and how to reach the next one."""

    items: list[ScrapedItem]
    next_url: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    skipped: list[SkippedEntry] = field(default_factory=list)
    site_total: int | None = None
    path: str | None = None

    @classmethod
    def of(
        cls,
        entries: Entries,
        next_url: str | None = None,
        *,
        site_total: int | None = None,
        path: str | None = None,
    ) -> ParsedPage:
        return cls(
            entries.items, next_url, skipped=entries.skipped, site_total=site_total, path=path
        )

    def to_page(self) -> Page:
        return Page(
            self.items,
            self.next_url,
            skipped=tuple(self.skipped),
            site_total=self.site_total,
            path=self.path,
        )


def count_or_none(value: Any) -> int | None:
    """A review count as the site states it (int or numeric string), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def check_anti_bot(text: str, *, url: str, source: str) -> None:
    """Raise AntiBotPage when the answer is a known captcha or bot wall (framework markers)."""
    check_antibot(text[:_HEAD].encode("utf-8", "replace"), url=url, source=source)


def layout_missing(text: str, what: str, *, url: str, source: str) -> ParseError:
    """The error for a page without the expected structure: a site wall if it looks like one."""
    check_anti_bot(text, url=url, source=source)
    head = text[:_HEAD].lower()
    for marker in SITE_WALL_MARKERS:
        if marker in head:
            raise AntiBotPage(f"blocked by anti-bot page ({marker})", source=source, url=url)
    return ParseError(f"{what} (layout changed?)", source=source, url=url)


def load_json(text: str, *, url: str, source: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ParseError(f"answer is not JSON: {exc}", source=source, url=url) from exc


def parse_iso(value: Any, *, url: str = "", source: str = "") -> datetime:
    """An ISO 8601 timestamp ("2024-03-12T10:00:00.123456789Z", "+03:00") as an aware datetime."""
    if not isinstance(value, str) or not value:
        raise ParseError(f"bad timestamp {value!r}", source=source, url=url)
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    # Python accepts at most 6 fraction digits; the sites send 0 to 9.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ParseError(f"bad timestamp {value!r}", source=source, url=url) from exc


def from_epoch(value: Any, *, url: str = "", source: str = "") -> datetime:
    """Epoch seconds or milliseconds as an aware UTC datetime."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ParseError(f"bad epoch time {value!r}", source=source, url=url)
    try:
        number = float(value)
    except ValueError as exc:
        raise ParseError(f"bad epoch time {value!r}", source=source, url=url) from exc
    if number > 1e11:
        number /= 1000.0
    if not 0 < number < 1e10:
        raise ParseError(f"bad epoch time {value!r}", source=source, url=url)
    return datetime.fromtimestamp(number, UTC)


def parse_ru_date(
    text: str,
    *,
    now: datetime | None = None,
    tz: ZoneInfo = MOSCOW,
    url: str = "",
    source: str = "",
) -> datetime:
    """A date as Russian sites print it, in the site's zone, as aware UTC.

    Handles "12 марта 2024", "5 июля" (this year, or last year if that would be in the future),
    "12.03.2024", "сегодня", "вчера", "3 дня назад", and ISO strings.
    """
    raw = " ".join(text.split()).lower()
    local_now = (now or datetime.now(UTC)).astimezone(tz)
    if not raw:
        raise ParseError("empty date", source=source, url=url)
    if re.match(r"\d{4}-\d{2}-\d{2}", raw):
        if len(raw) == 10:
            year, month, day = (int(part) for part in raw.split("-"))
            return _local(_safe_date(year, month, day, raw, url, source), time(), tz)
        return parse_iso(text, url=url, source=source)
    hour_minute = re.search(r"(\d{1,2}):(\d{2})", raw)
    clock = time(int(hour_minute[1]), int(hour_minute[2])) if hour_minute else time()
    if raw.startswith("сегодня"):
        return _local(local_now.date(), clock, tz)
    if raw.startswith("вчера"):
        return _local(local_now.date() - timedelta(days=1), clock, tz)
    if raw.startswith("позавчера"):
        return _local(local_now.date() - timedelta(days=2), clock, tz)
    relative = _RELATIVE.search(raw)
    if relative:
        return _relative(relative, local_now)
    numeric = _NUM_DATE.search(raw)
    if numeric:
        day, month, year = int(numeric[1]), int(numeric[2]), int(numeric[3])
        return _local(_safe_date(year, month, day, raw, url, source), clock, tz)
    named = _RU_DATE.search(raw)
    if named and named[2][:3] in _MONTHS:
        day, month = int(named[1]), _MONTHS[named[2][:3]]
        if named[3]:
            return _local(_safe_date(int(named[3]), month, day, raw, url, source), clock, tz)
        guess = _safe_date(local_now.year, month, day, raw, url, source)
        if guess > local_now.date():
            guess = _safe_date(local_now.year - 1, month, day, raw, url, source)
        return _local(guess, clock, tz)
    raise ParseError(f"unknown date format {text!r}", source=source, url=url)


def _safe_date(year: int, month: int, day: int, raw: str, url: str, source: str) -> date:
    try:
        if year < 1970:
            raise ValueError("before any review site")
        return date(year, month, day)
    except ValueError as exc:
        raise ParseError(f"impossible date {raw!r}", source=source, url=url) from exc


def _local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def _relative(match: re.Match[str], local_now: datetime) -> datetime:
    count_word = match[1] or "1"
    count = int(count_word) if count_word.isdigit() else _WORD_NUMBERS.get(count_word, 1)
    unit = match[2]
    if unit.startswith("минут"):
        delta = timedelta(minutes=count)
    elif unit.startswith("час"):
        delta = timedelta(hours=count)
    elif unit.startswith("д"):
        delta = timedelta(days=count)
    elif unit.startswith("недел"):
        delta = timedelta(weeks=count)
    elif unit.startswith("месяц"):
        delta = timedelta(days=30 * count)
    else:
        delta = timedelta(days=365 * count)
    return (local_now - delta).astimezone(UTC)


def rating_1_5(value: Any, *, url: str = "", source: str = "") -> float:
    """A star rating that must lie in 1..5."""
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ParseError(f"bad rating {value!r}", source=source, url=url) from exc
    if not 1 <= number <= 5:
        raise ParseError(f"rating {value!r} outside 1..5", source=source, url=url)
    return number


def node_text(node: Tag | None) -> str:
    """Visible text of a node with <br> and block ends kept as line breaks, spaces tidied."""
    if node is None:
        return ""
    for br in node.find_all("br"):
        br.replace_with("\n")
    for block in node.find_all(["p", "div", "li"]):
        block.append("\n")
    return clean_text(node.get_text())


def tidy(text: Any) -> str:
    """API text: normalised line breaks, no trailing spaces; non-strings become ''."""
    if not isinstance(text, str):
        return ""
    lines = (line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(lines).strip()


def as_dict(value: Any, what: str, *, url: str, source: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ParseError(f"{what} is not an object", source=source, url=url)
    return value


def as_list(value: Any, what: str, *, url: str, source: str) -> list[Any]:
    if not isinstance(value, list):
        raise ParseError(f"{what} is not a list", source=source, url=url)
    return value


def opt_dict(value: Any) -> dict[str, Any]:
    """A JSON object, else {} (a missing or malformed optional block reads as empty)."""
    return value if isinstance(value, dict) else {}


def opt_str(value: Any) -> str | None:
    """A non-empty string, else None (JSON nulls, numbers and blanks alike)."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def require_id(row: dict[str, Any], key: str, *, url: str, source: str) -> str:
    """The review's identifying field: without it a review cannot be told from the others."""
    value = opt_str(row.get(key))
    if value is None:
        raise ParseError(f"review without {key}", source=source, url=url)
    return value


def rebase(url: str, base: str) -> str:
    """The same path and query on `base` (a next-page link the site gives with its own host)."""
    parts = urlsplit(url)
    target = urlsplit(base)
    return urlunsplit((target.scheme, target.netloc, parts.path, parts.query, ""))
