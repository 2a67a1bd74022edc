"""The Source base class: a site is a small parser plus how to ask for its next page.

A source module subclasses `Source`, sets `kind` and `url_patterns`, and implements

    async def fetch_page(self, token: str | None, *, etag: str | None,
                         last_modified: str | None) -> FetchResponse
        # token None = first page; otherwise the `Page.next` of the previous page.
        # Pass etag/last_modified on to `self.fetcher.get` where the site honours them.
    def parse(self, response: FetchResponse) -> Page
        # Every item on the page (no alias filtering), newest first or not; `Page.next` is the
        # token of the following (older) page, or None. Missing structure → ParseError; a page
        # of the site that holds no reviews → NotReviewsPage. Read the entries through
        # `scrapers.entries.read_entries`, so one malformed entry is skipped, not fatal.

`Source.poll` (do not override; override `collect` only if a site needs another loop) then
does the rest the same way for every site:
- the first poll (state.backfilled False) returns at most `backfill_limit` items and none older
  than `backfill_since`; later polls tell new items from known ones by key (site id or content
  fingerprint), never by date, and stop paginating after a page with nothing new plus
  `overlap_pages` more; never more than `max_pages` pages (options override both);
- `full_pages=N` walks the whole listing (up to N pages) without stopping early: the periodic
  reconciliation that fills holes and, where `lists_everything`, finds removed reviews;
- `PollResult.items` are the new items, `.listed` the known ones seen again (for edits and
  replies), `.site_total` the review count the site states (`Page.site_total`);
- a 304 on the first page returns `PollResult([], state, not_modified=True)`;
- mention sources (`filters_by_alias = True`) keep only items naming one of `spec.aliases`
  (no aliases: everything);
- the cursor (`Cursor`, JSON text: the keys seen lately) is returned in
  the new state, with the first page's ETag / Last-Modified and backfilled=True;
- anything other than a SourceError raised while parsing becomes ParseError ("layout
  changed?"), chained with `raise ... from`, so a broken page is this source's error only;
- entries a page left out (`Page.skipped`) are logged with the source and returned in
  `PollResult.skipped` for the core to count in health; the first page's `site_total` (the
  review count the site states) and `path` (how the reviews were reached) are passed on too.

`check` reads the URL and options without fetching and raises SourceConfigError when they
cannot work; it runs when a source is added (brands file, `/add_source`) and at every poll.
Sources with URL-derived settings (a query, a channel, a branch id) extend it.

`parse` is also what `otklik parse KIND FILE` runs on a saved page, so keep it a pure function
of the response.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import ClassVar
from urllib.parse import urlsplit

from scrapers.entries import SkippedEntry
from scrapers.errors import ParseError, SourceConfigError, SourceError
from scrapers.fetch import Fetcher, FetchResponse
from scrapers.matching import AliasMatcher
from scrapers.records import PollResult, PollState, ScrapedItem, SourceSpec
from scrapers.sanitise import clean_item
from scrapers.secrets import redact_error, secret_values

log = logging.getLogger(__name__)

# Enough for several pages of the busiest listing; beyond it the storage still deduplicates.
_MAX_KEYS = 1000


@dataclass(frozen=True, slots=True)
class Page:
    """One fetched page turned into items, and the token of the next (older) page."""

    items: list[ScrapedItem]
    next: str | None = None
    skipped: tuple[SkippedEntry, ...] = ()
    # The number of reviews the site says it has (2GIS meta.total_count, Trustpilot
    # numberOfReviews, ...), where the answer states one.
    site_total: int | None = None
    # How the reviews were reached, in words the owner understands: "API", "embedded state",
    # "HTML"; None where a source has one way only.
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Cursor:
    """The keys (site id, else a content fingerprint) of the items seen lately, newest poll first.

    Whether an item is new is decided by its key only, never by its date: sites publish
    moderated reviews hours or days late under their original date, and feeds list out of order.
    The storage is the final judge; this memory only tells a poll when to stop paginating.
    """

    seen: tuple[str, ...] = ()

    def encode(self) -> str:
        return json.dumps({"seen": list(self.seen)}, ensure_ascii=False)

    @classmethod
    def decode(cls, raw: str | None) -> Cursor | None:
        if not raw:
            return None
        try:
            data = json.loads(raw)
            if "seen" in data:
                return cls(tuple(str(key) for key in data["seen"]))
            # Written before keys were remembered: the ids at the newest date and undated ids.
            return cls(tuple(str(key) for key in [*data.get("ids", ()), *data.get("undated", ())]))
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("unreadable cursor %r; polling as if nothing was seen", raw)
            return None

    def knows(self, item: ScrapedItem) -> bool:
        return item_key(item) in self.seen

    def after(self, keys: list[str]) -> Cursor:
        """This poll's keys first, then the remembered ones, at most _MAX_KEYS in all."""
        return Cursor(tuple(dict.fromkeys([*keys, *self.seen]))[:_MAX_KEYS])


def item_key(item: ScrapedItem) -> str:
    """The site's id, else a fingerprint of what the item says (feeds without ids)."""
    if item.external_id:
        return item.external_id
    said = "\x1f".join((item.author or "", item.title or "", item.text))
    return "h:" + hashlib.sha256(said.encode("utf-8")).hexdigest()[:24]


@dataclass(slots=True)
class _Collector:
    """Takes pages in order and says when to stop.

    First poll: the backfill, bounded by `limit` items and the `since` date. Full walk
    (`full`): every page up to the page bound. Otherwise: stop once `overlap` + 1 pages in a row
    held nothing the cursor did not know, so a late item a little down the listing is still
    read; anything deeper is found by the periodic full walk.
    """

    known: Cursor
    first_poll: bool
    full: bool
    limit: int
    since: datetime | None
    overlap: int
    matcher: AliasMatcher | None
    items: list[ScrapedItem] = field(default_factory=list)
    listed: list[ScrapedItem] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    quiet_pages: int = 0
    _taken: set[str] = field(default_factory=set)

    def add(self, page_items: list[ScrapedItem]) -> bool:
        """Take a page's items; True when paginating further is pointless."""
        stop = False
        unknown = False
        # Undated first, then newest first: the backfill limit keeps the newest.
        ordered = [i for i in page_items if i.published_at is None] + sorted(
            (i for i in page_items if i.published_at is not None),
            key=lambda i: i.published_at,  # type: ignore[arg-type, return-value]
            reverse=True,
        )
        for item in ordered:
            key = item_key(item)
            if key in self._taken:
                # Listed twice: a review published mid-walk pushes the next one down a page.
                continue
            self._taken.add(key)
            self.keys.append(key)
            known = self.known.knows(item)
            unknown = unknown or not known
            if (
                self.first_poll
                and not self.full
                and self.since is not None
                and item.published_at is not None
                and item.published_at < self.since
            ):
                stop = True
                continue
            if self.matcher and not self.matcher.matches(item.title, item.text):
                continue
            if self.first_poll and not self.full and len(self.items) >= self.limit:
                # Keep reading the page's keys: what lies past the limit is history, not news.
                stop = True
                continue
            (self.listed if known else self.items).append(item)
        if self.full:
            return False
        if self.first_poll:
            return stop
        self.quiet_pages = 0 if unknown else self.quiet_pages + 1
        return self.quiet_pages > self.overlap


class Source(ABC):
    """One site or API: fetches pages and turns them into ScrapedItem records."""

    kind: ClassVar[str]
    # What the owner calls the site ("2GIS", "Yandex Maps"), for messages such as otklik doctor.
    title: ClassVar[str] = ""
    # Regexes searched in a pasted URL (lower-cased, scheme stripped) to recognise the kind.
    url_patterns: ClassVar[tuple[str, ...]] = ()
    # Generic kinds (rss) are tried only after every specific kind failed to match.
    generic: ClassVar[bool] = False
    # Mention sources keep only items naming one of the brand's aliases.
    filters_by_alias: ClassVar[bool] = False
    max_pages: ClassVar[int] = 10
    # Pages read past the first page with nothing new (late items land a little down the list).
    overlap_pages: ClassVar[int] = 1
    # The listing holds every review the site shows, so a full walk that no longer lists a
    # stored review means the site removed it. False for feeds, searches and capped APIs.
    lists_everything: ClassVar[bool] = False
    # Options the source cannot work without → what to put there (shown to the owner).
    required_options: ClassVar[dict[str, str]] = {}
    # Where polls send their requests, as `base_url` takes it: (the public base, the site's
    # domains). None: to the pasted URL's own origin.
    request_base: ClassVar[tuple[str, tuple[str, ...]] | None] = None

    def __init__(self, spec: SourceSpec, fetcher: Fetcher | None = None) -> None:
        self.spec = spec
        self._fetcher = fetcher
        self.matcher = AliasMatcher(spec.aliases) if self.filters_by_alias else None

    @property
    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            raise RuntimeError(f"{self.kind} source built without a fetcher can only check()")
        return self._fetcher

    @classmethod
    def matches_url(cls, url: str) -> bool:
        bare = re.sub(r"^https?://", "", url.strip().lower())
        return any(re.search(pattern, bare) for pattern in cls.url_patterns)

    # -- options ---------------------------------------------------------------------------
    def option(self, key: str, default: str | None = None) -> str | None:
        value = self.spec.options.get(key)
        return value if value not in (None, "") else default

    def int_option(self, key: str, default: int) -> int:
        raw = self.option(key)
        if raw is None:
            return default
        try:
            return int(raw)
        except ValueError:
            raise self.misconfigured(f"option {key}={raw!r} is not a whole number") from None

    def required_option(self, key: str) -> str:
        """Option `key` (listed in `required_options`); without it, SourceConfigError saying
        what to set."""
        value = self.option(key)
        if not value:
            raise self.misconfigured(f"option {key} is missing: {self.required_options[key]}")
        return value

    def check(self) -> None:
        """Raise SourceConfigError when the URL or options cannot work; fetches nothing."""
        self.int_option("max_pages", self.max_pages)
        for key in self.required_options:
            self.required_option(key)

    def requests_to(self) -> str:
        """The base URL this source's polls request (see `request_base`)."""
        if self.request_base is None:
            parts = urlsplit(self.spec.url)
            return f"{parts.scheme}://{parts.netloc}"
        return self.base_url(*self.request_base)

    def request_hosts(self) -> tuple[str, ...]:
        """The hosts a poll sends requests to: the sources on one host share its politeness
        budget, whatever page the owner pasted (2GIS and Flamp pages are read through one
        API host)."""
        base = self.requests_to()
        return (urlsplit(base).hostname or base,)

    def base_url(self, public_base: str, public_domains: tuple[str, ...]) -> str:
        """Where to send requests: option "api_base", else the public base when the spec URL is
        on one of the site's domains (or a subdomain), else the spec URL's own origin (tests,
        mirrors)."""
        explicit = self.option("api_base")
        if explicit:
            return explicit.rstrip("/")
        parts = urlsplit(self.spec.url)
        host = (parts.hostname or "").lower()
        if (
            not parts.scheme
            or not host
            or any(host == d or host.endswith("." + d) for d in public_domains)
        ):
            return public_base.rstrip("/")
        return f"{parts.scheme}://{parts.netloc}"

    def error(self, message: str, url: str | None = None) -> ParseError:
        """A ParseError for this source; raise it when the page lacks the expected structure."""
        return ParseError(message, source=self.kind, url=url or self.spec.url)

    def misconfigured(self, message: str) -> SourceConfigError:
        """A SourceConfigError for this source; raise it when its URL or options cannot work."""
        return SourceConfigError(message, source=self.kind, url=self.spec.url)

    # -- the per-site part -----------------------------------------------------------------
    @abstractmethod
    async def fetch_page(
        self, token: str | None, *, etag: str | None, last_modified: str | None
    ) -> FetchResponse:
        """Fetch the first page (token None) or the page the token names."""

    @abstractmethod
    def parse(self, response: FetchResponse) -> Page:
        """Turn one answer into items; raise ParseError when its structure is missing."""

    # -- the shared part -------------------------------------------------------------------
    async def poll(
        self,
        state: PollState,
        *,
        backfill_limit: int = 200,
        backfill_since: datetime | None = None,
        full_pages: int | None = None,
    ) -> PollResult:
        """One poll; `full_pages` makes it a full walk of up to that many pages (reconciliation)."""
        with self._own_errors(self.spec.url):
            self.check()
            result = await self.collect(state, backfill_limit, backfill_since, full_pages)
        return replace(
            result,
            items=[clean_item(item) for item in result.items],
            listed=[clean_item(item) for item in result.listed],
        )

    def parse_safely(self, response: FetchResponse) -> Page:
        """`parse` with the same error wrapping and skipped-entry logging as `poll` (for
        `otklik parse`, `otklik doctor` and benches)."""
        with self._own_errors(response.url):
            page = self.parse(response)
        self._report_skipped(page, response.url)
        return replace(page, items=[clean_item(item) for item in page.items])

    def _report_skipped(self, page: Page, url: str) -> None:
        for entry in page.skipped:
            log.warning("%s %s: skipped a malformed %s", self.kind, url, entry)

    @contextmanager
    def _own_errors(self, url: str) -> Iterator[None]:
        """Make every error inside this source's: helpers raise without knowing the source, and
        a parser bug (any other exception) becomes a ParseError chained to its cause. Either way
        the error leaves without the source's secrets."""
        secrets = secret_values(self.spec.options)
        try:
            yield
        except SourceError as exc:
            exc.source = exc.source or self.kind
            exc.url = exc.url or url
            redact_error(exc, secrets)
            raise
        except Exception as exc:
            raise redact_error(
                ParseError(
                    f"unexpected {type(exc).__name__} while reading the page: {exc} "
                    "(layout changed?)",
                    source=self.kind,
                    url=url,
                ),
                secrets,
            ) from exc

    async def collect(
        self,
        state: PollState,
        backfill_limit: int,
        backfill_since: datetime | None,
        full_pages: int | None = None,
    ) -> PollResult:
        known = Cursor.decode(state.cursor) or Cursor()
        collector = _Collector(
            known=known,
            first_poll=not state.backfilled,
            full=full_pages is not None,
            limit=backfill_limit,
            since=backfill_since,
            overlap=max(0, self.int_option("overlap_pages", self.overlap_pages)),
            matcher=self.matcher,
        )
        bound = (
            full_pages if full_pages is not None else self.int_option("max_pages", self.max_pages)
        )
        token: str | None = None
        first: FetchResponse | None = None
        first_page: Page | None = None
        skipped: list[SkippedEntry] = []
        seen = 0
        reached_end = False
        for number in range(max(1, bound)):
            # A full walk must read the whole listing, not a 304.
            conditional = number == 0 and state.backfilled and full_pages is None
            response = await self.fetch_page(
                token,
                etag=state.etag if conditional else None,
                last_modified=state.last_modified if conditional else None,
            )
            if number == 0:
                if response.not_modified:
                    return PollResult([], replace(state, backfilled=True), not_modified=True)
                first = response
            page = self.parse(response)
            self._report_skipped(page, response.url)
            skipped.extend(page.skipped)
            first_page = first_page or page
            seen += len(page.items)
            stop = collector.add(page.items)
            if not page.next:
                reached_end = not stop
                break
            if stop:
                break
            token = page.next
        else:
            if state.backfilled and full_pages is None:
                log.warning(
                    "%s %s: stopped after max_pages without reaching known items",
                    self.kind,
                    self.spec.url,
                )
        assert first is not None and first_page is not None
        return PollResult(
            collector.items,
            PollState(
                cursor=known.after(collector.keys).encode(),
                etag=first.etag,
                last_modified=first.last_modified,
                backfilled=True,
            ),
            seen=seen,
            skipped=tuple(str(entry) for entry in skipped),
            site_total=first_page.site_total,
            path=first_page.path,
            listed=collector.listed,
            reached_end=reached_end,
            lists_everything=self.lists_everything,
        )
