"""The digest's figures, computed from plain records: no database, no rendering."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from urllib.parse import urlsplit

from common.vocabulary import FAILURE_EVENTS, Label, SourceHealth
from reports.periods import Period
from reports.response import (
    MemberSpeed,
    ResponseFigures,
    StarsChange,
    member_speeds,
    rating_gains,
    response_figures,
)
from reports.touchpoints import TouchpointFigures, ranked_touchpoints, short_quote
from storage.repositories.stats import (
    BrandInfo,
    CaseRow,
    MentionRow,
    OpenCases,
    SourceEventRow,
    SourceInfo,
)

SENTIMENTS = tuple(Label)
# Open cases a digest lists by link; beyond them it gives the count.
OPEN_LISTED = 50


@dataclass(frozen=True, slots=True)
class SentimentCounts:
    """Mentions of a period by sentiment; `unclassified` ones are counted but not in the index."""

    positive: int = 0
    neutral: int = 0
    negative: int = 0
    unclassified: int = 0

    @property
    def total(self) -> int:
        return self.positive + self.neutral + self.negative + self.unclassified

    @property
    def classified(self) -> int:
        return self.total - self.unclassified

    @property
    def index(self) -> int | None:
        """Share of positive minus share of negative among classified mentions, −100..100."""
        if not self.classified:
            return None
        return round(100 * (self.positive - self.negative) / self.classified)


@dataclass(frozen=True, slots=True)
class SourceFigures:
    """One source's mentions and average rating, now and in the period before."""

    source_id: int
    kind: str
    url: str
    qualifier: str
    mentions: int
    previous_mentions: int
    negative: int
    average_rating: float | None
    previous_average_rating: float | None
    site_total: int | None = None
    held: int = 0

    @property
    def rating_change(self) -> float | None:
        if self.average_rating is None or self.previous_average_rating is None:
            return None
        return round(self.average_rating - self.previous_average_rating, 2)


@dataclass(frozen=True, slots=True)
class DayFigures:
    """One local day of the chart."""

    day: date
    counts: SentimentCounts
    average_rating: float | None


@dataclass(frozen=True, slots=True)
class OpenCase:
    """A case still waiting for work, as the digest links it."""

    id: int
    url: str | None
    created_at: datetime
    overdue: bool
    excerpt: str


@dataclass(frozen=True, slots=True)
class FailedSource:
    """A source that failed in the period or is unhealthy now."""

    source_id: int
    kind: str
    url: str
    failures: int
    health: str
    last_error: str | None


@dataclass(frozen=True, slots=True)
class DigestFigures:
    """Everything a digest or report shows, for one brand and period."""

    brand_id: int
    brand_name: str
    period: Period
    generated_at: datetime
    current: SentimentCounts
    previous: SentimentCounts
    backfill: int
    average_rating: float | None
    previous_average_rating: float | None
    sources: list[SourceFigures]
    days: list[DayFigures]
    response: ResponseFigures
    previous_response: ResponseFigures
    criticised: list[TouchpointFigures]
    praised: list[TouchpointFigures]
    # The oldest open cases (at most OPEN_LISTED); the counts cover all of them.
    open_cases: list[OpenCase]
    open_total: int
    open_overdue: int
    failed_sources: list[FailedSource]
    brand_is_new: bool
    mentions: list[MentionRow] = field(default_factory=list, repr=False)
    member_speeds: list[MemberSpeed] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.current.total == 0

    @property
    def index_change(self) -> int | None:
        if self.current.index is None or self.previous.index is None:
            return None
        return self.current.index - self.previous.index


def compute_figures(
    *,
    brand: BrandInfo,
    period: Period,
    now: datetime,
    sources: Sequence[SourceInfo],
    mentions: Sequence[MentionRow],
    previous_mentions: Sequence[MentionRow],
    cases: Sequence[CaseRow],
    previous_cases: Sequence[CaseRow],
    open_cases: OpenCases,
    source_events: Sequence[SourceEventRow],
    ratings_raised: Sequence[StarsChange] = (),
) -> DigestFigures:
    previous = period.previous()
    raised, gain = rating_gains(ratings_raised)
    return DigestFigures(
        brand_id=brand.id,
        brand_name=brand.name,
        period=period,
        generated_at=now,
        current=count_sentiments(mentions),
        previous=count_sentiments(previous_mentions),
        backfill=sum(1 for mention in mentions if mention.backfill),
        average_rating=_average(mention.rating for mention in mentions),
        previous_average_rating=_average(mention.rating for mention in previous_mentions),
        sources=_sources(sources, mentions, previous_mentions),
        days=_days(period, mentions),
        response=replace(
            response_figures(cases, period.cutoff(now)),
            ratings_raised=raised,
            average_gain=gain,
        ),
        previous_response=response_figures(previous_cases, previous.cutoff(now)),
        member_speeds=member_speeds(cases, period.cutoff(now)),
        criticised=ranked_touchpoints(mentions, previous_mentions, Label.NEGATIVE),
        praised=ranked_touchpoints(mentions, previous_mentions, Label.POSITIVE),
        open_cases=[
            OpenCase(
                case.id,
                case.mention_url,
                case.created_at,
                case.due_at is not None and case.due_at < now and case.first_response_at is None,
                short_quote(case.text, 80),
            )
            for case in open_cases.oldest
        ],
        open_total=open_cases.total,
        open_overdue=open_cases.overdue,
        failed_sources=_failed_sources(sources, source_events),
        brand_is_new=period.start <= brand.created_at < period.end,
        mentions=list(mentions),
    )


def count_sentiments(mentions: Iterable[MentionRow]) -> SentimentCounts:
    counts = Counter(
        mention.sentiment if mention.sentiment in SENTIMENTS else "unclassified"
        for mention in mentions
    )
    return SentimentCounts(**{key: counts[key] for key in (*SENTIMENTS, "unclassified")})


def _sources(
    sources: Sequence[SourceInfo],
    mentions: Sequence[MentionRow],
    previous_mentions: Sequence[MentionRow],
) -> list[SourceFigures]:
    now_by: dict[int, list[MentionRow]] = defaultdict(list)
    before_by: dict[int, list[MentionRow]] = defaultdict(list)
    for mention in mentions:
        now_by[mention.source_id].append(mention)
    for mention in previous_mentions:
        before_by[mention.source_id].append(mention)
    kinds = Counter(source.kind for source in sources)
    result = [
        SourceFigures(
            source_id=source.id,
            kind=source.kind,
            url=source.url,
            qualifier=_qualifier(source.url) if kinds[source.kind] > 1 else "",
            mentions=len(now_by[source.id]),
            previous_mentions=len(before_by[source.id]),
            negative=sum(1 for mention in now_by[source.id] if mention.sentiment == Label.NEGATIVE),
            average_rating=_average(mention.rating for mention in now_by[source.id]),
            previous_average_rating=_average(mention.rating for mention in before_by[source.id]),
            site_total=source.site_total,
            held=source.held,
        )
        for source in sources
        if now_by[source.id] or before_by[source.id]
    ]
    return sorted(result, key=lambda item: (-item.mentions, item.source_id))


def _days(period: Period, mentions: Sequence[MentionRow]) -> list[DayFigures]:
    by_day: dict[date, list[MentionRow]] = defaultdict(list)
    for mention in mentions:
        by_day[period.day_of(mention.at)].append(mention)
    return [
        DayFigures(
            day,
            count_sentiments(by_day[day]),
            _average(mention.rating for mention in by_day[day]),
        )
        for day in period.day_list()
    ]


def _failed_sources(
    sources: Sequence[SourceInfo], events: Sequence[SourceEventRow]
) -> list[FailedSource]:
    failures = Counter(event.source_id for event in events if event.kind in FAILURE_EVENTS)
    last_message = {
        event.source_id: event.message for event in events if event.kind in FAILURE_EVENTS
    }
    return [
        FailedSource(
            source.id,
            source.kind,
            source.url,
            failures[source.id],
            source.health,
            last_message.get(source.id) or source.last_error,
        )
        for source in sources
        if failures[source.id] or (source.enabled and source.health != SourceHealth.OK)
    ]


def _average(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return round(sum(present) / len(present), 2) if present else None


def _qualifier(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    tail = path.rsplit("/", 1)[-1] if path else ""
    return f"{parts.hostname or ''}{'/…/' + tail if tail else ''}"
