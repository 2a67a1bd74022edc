"""Reading a page entry by entry, so one malformed review never costs the page.

Every parser turns its list of raw entries (JSON objects, HTML cards, positional arrays) into
items through `read_entries(rows, read_one)`. An entry whose reading raises a ParseError (or a
lookup/type error of a parser that met an unexpected shape) is left out and described in a
`SkippedEntry`; the others are returned. `Source.poll` logs every skipped entry with the source
and hands the list to the core, which counts it in the source's health. Only a page on which
*no* entry could be read is a ParseError: that is a layout change, not one odd review.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from scrapers.errors import ParseError, SourceError
from scrapers.records import ScrapedItem

Row = TypeVar("Row")

# What a parser meeting an unexpected shape raises besides its own ParseError.
_SHAPE_ERRORS = (ParseError, LookupError, TypeError, ValueError, AttributeError)


@dataclass(frozen=True, slots=True)
class SkippedEntry:
    """One entry of a page that could not be read: its place on the page and why."""

    position: int
    reason: str

    def __str__(self) -> str:
        return f"entry {self.position + 1}: {self.reason}"


@dataclass(slots=True)
class Entries:
    """The items read from a page's entries and the entries left out."""

    items: list[ScrapedItem] = field(default_factory=list)
    skipped: list[SkippedEntry] = field(default_factory=list)


def read_entries(
    rows: Iterable[Row],
    read_one: Callable[[Row], ScrapedItem | None],
    *,
    what: str = "review",
) -> Entries:
    """Read each row; a row `read_one` maps to None is deliberately not an item (a service
    message, an app-metadata entry). Raises ParseError only when every row failed."""
    found = Entries()
    for position, row in enumerate(rows):
        try:
            item = read_one(row)
        except SourceError as exc:
            if not isinstance(exc, ParseError):
                raise
            found.skipped.append(SkippedEntry(position, _reason(exc)))
            continue
        except _SHAPE_ERRORS as exc:
            found.skipped.append(SkippedEntry(position, f"{type(exc).__name__}: {exc}"))
            continue
        if item is not None:
            found.items.append(item)
    if found.skipped and not found.items:
        first = found.skipped[0]
        raise ParseError(
            f"none of the {len(found.skipped)} {what} entries on the page could be read "
            f"({first}); layout changed?"
        )
    return found


def _reason(exc: ParseError) -> str:
    # The source and URL are said once by whoever reports the page, not per entry.
    return str(exc.args[0]) if exc.args else type(exc).__name__
