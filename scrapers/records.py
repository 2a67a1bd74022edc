"""Plain records a source hands to the core."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ScrapedItem:
    """One review, post or article as the site shows it."""

    external_id: str | None
    url: str | None
    text: str
    author: str | None = None
    rating: float | None = None
    title: str | None = None
    published_at: datetime | None = None
    reply: str | None = None
    language: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """What the core knows of a source: its kind, URL and options from config or chat."""

    kind: str
    url: str
    aliases: tuple[str, ...] = ()
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PollState:
    """What a source remembers between polls; the core stores it and hands it back."""

    cursor: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    backfilled: bool = False


@dataclass(frozen=True, slots=True)
class PollResult:
    items: list[ScrapedItem]
    state: PollState
    not_modified: bool = False
    # Items the fetched pages held before dropping known or off-topic ones: a page that
    # listed reviews yesterday and lists none today has most likely changed its layout.
    seen: int | None = None
    # Entries the pages held but could not be read ("entry 3: bad rating 'x'"): counted in the
    # source's health; the other entries are in `items`.
    skipped: tuple[str, ...] = ()
    # The review count the site states on its first page, where it states one.
    site_total: int | None = None
    # How the reviews were reached ("API", "embedded state", "HTML"), where a source has more
    # than one way.
    path: str | None = None
    # Items the poll's memory already knew, listed again: checked for edits, replies, removal.
    listed: list[ScrapedItem] = field(default_factory=list)
    # The walk read the listing to its last page.
    reached_end: bool = False
    # The site lists every review it shows (see Source.lists_everything).
    lists_everything: bool = False

    @property
    def every_item(self) -> list[ScrapedItem]:
        return [*self.items, *self.listed]
