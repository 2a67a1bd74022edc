"""Small helpers every parser needs: dates with time zones, HTML to text, safe lookups."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from bs4 import BeautifulSoup

from scrapers.errors import ParseError

_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")


# The date helpers raise ParseError (a SourceError) on nonsense, so parsers need no try blocks;
# Source.poll fills in which source and URL it was. The review-site parsers use the stricter
# ones in scrapers.sources._reviews_common (UTC results, epoch milliseconds, range checks):
# these keep the offset the site gave (App Store's -07:00 shows in `otklik parse`) and take
# epoch seconds as they are, so the two sets are not interchangeable.


def from_epoch(seconds: Any) -> datetime:
    """UTC datetime from Unix seconds (int, float or numeric string)."""
    try:
        return datetime.fromtimestamp(float(seconds), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise ParseError(f"bad Unix time {seconds!r}") from exc


def parse_iso(value: Any) -> datetime:
    """ISO 8601 with offset or Z → aware datetime; a naive one is taken as UTC."""
    try:
        text = str(value).strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ParseError(f"bad ISO date {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def text_or_none(value: Any) -> str | None:
    """A non-empty JSON string as it is, else None."""
    return value if isinstance(value, str) and value else None


def clean_text(text: str) -> str:
    """Collapse runs of spaces, keep line breaks, trim."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(html: str | None) -> str:
    """Visible text of an HTML fragment, <br> and block ends as line breaks."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return clean_text(html)
    soup = BeautifulSoup(html, "lxml")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(["p", "div", "li", "blockquote"]):
        block.append("\n")
    return clean_text(soup.get_text())


def dig(data: Any, *path: int | str) -> Any:
    """data[p0][p1]... or None when any step is missing (positional Google arrays)."""
    for step in path:
        try:
            data = data[step]
        except (IndexError, KeyError, TypeError):
            return None
    return data
