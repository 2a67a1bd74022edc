"""The spike rule: negatives arriving far faster than a brand's (or branch's) own baseline,
and the signals that tell a review-bombing wave from a bad day.

Baseline: the last 28 local days before the window, with a weekday profile (Mondays may be
busier than Sundays) and an hour profile (lunch is busier than 3 a.m.), both shrunk toward
the mean so that four Mondays of data do not swing them. Expected negatives in the window =
that weekday's daily rate × the share of a day's negatives that usually falls in those hours,
with a floor so a brand with no history does not alarm on its first few complaints. A spike
is at least `min_count` negatives, `min_ratio` times the expectation, whose Poisson tail
probability under it is below `max_p` (or `bombing_p` when the texts look like a campaign).
Pure functions: the pipeline feeds them rows, bench/spikes.py replays synthetic days.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class SpikeRule:
    window: timedelta = timedelta(hours=6)
    baseline_days: int = 28
    min_count: int = 5
    max_p: float = 1e-5
    # Copy-pasted or empty reviews are evidence of their own: a wave showing them needs less.
    bombing_p: float = 1e-3
    # Bad days happen (a broken oven, a long queue): a wave is also this many times the usual.
    min_ratio: float = 3.0
    floor_per_day: float = 0.5
    # The weekday and hour profiles count as this many days / reviews at the mean before
    # their own data, so four Mondays or a few late-night reviews do not swing them.
    prior_days: float = 2.0
    prior_reviews: float = 20.0

    def expected(
        self, daily: dict[date, int], weekday: int, window_share: float | None = None
    ) -> float:
        """Expected negatives in one window on `weekday` (0 = Monday) from `daily`: local day
        → negatives over the baseline days. `window_share`: the part of a day's negatives that
        usually falls in the window's hours (None: spread evenly)."""
        mean = sum(daily.values()) / self.baseline_days
        same = [count for day, count in daily.items() if day.weekday() == weekday]
        weeks = self.baseline_days / 7
        rate = (sum(same) + self.prior_days * mean) / (weeks + self.prior_days)
        share = self.window / timedelta(days=1) if window_share is None else window_share
        return max(rate, self.floor_per_day) * share

    def is_spike(self, count: int, expected: float, *, bombing: bool = False) -> bool:
        return (
            count >= self.min_count
            and count >= self.min_ratio * expected
            and poisson_tail(count, expected) < (self.bombing_p if bombing else self.max_p)
        )

    def evaluate(
        self,
        history: Sequence[datetime],
        count: int,
        now: datetime,
        zone: ZoneInfo,
        *,
        bombing: bool = False,
    ) -> tuple[float, bool]:
        """(expected, spike?) for `count` negatives in the window ending `now`, given the
        times of the baseline's negatives (the 28 days before the window). `bombing`: the
        window's texts look like a campaign (see `looks_like_bombing`)."""
        if count < self.min_count:
            return 0.0, False  # never a spike: skip the baseline
        local = [at.astimezone(zone) for at in history]
        daily = Counter(at.date() for at in local)
        end = now.astimezone(zone)
        start = end - self.window
        even = self.window / timedelta(days=1)
        inside = sum(1 for at in local if _in_hours(at, start, end))
        share = (inside + self.prior_reviews * even) / (len(local) + self.prior_reviews)
        expected = self.expected(daily, end.weekday(), share)
        return expected, self.is_spike(count, expected, bombing=bombing)


def _in_hours(at: datetime, start: datetime, end: datetime) -> bool:
    """Whether the time of day of `at` falls in [start, end)'s hours (across midnight too)."""
    minute = at.hour * 60 + at.minute
    first, last = start.hour * 60 + start.minute, end.hour * 60 + end.minute
    return first <= minute < last if first < last else minute >= first or minute < last


def poisson_tail(count: int, mean: float) -> float:
    """P(X ≥ count) for X ~ Poisson(mean)."""
    if count <= 0:
        return 1.0
    term = math.exp(-mean)
    below = term
    for k in range(1, count):
        term *= mean / k
        below += term
    return max(0.0, 1.0 - below)


@dataclass(frozen=True, slots=True)
class WaveReview:
    """A negative review of a wave, as the signals read it."""

    id: int
    at: datetime
    author: str | None
    text: str
    source_kind: str
    touchpoints: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WaveSignals:
    count: int
    minutes: int
    new_authors: int
    near_duplicates: int
    no_text: int
    sources: dict[str, int] = field(default_factory=dict)
    touchpoints: dict[str, int] = field(default_factory=dict)

    @property
    def suspicious(self) -> list[str]:
        """Names of the signals that are up: review bombing rather than a bad day."""
        found = []
        if self.count and self.new_authors / self.count >= 0.6:
            found.append("new_authors")
        if self.near_duplicates >= 2:
            found.append("near_duplicates")
        if self.count and self.no_text / self.count >= 0.25:
            found.append("no_text")
        if self.minutes <= 90:
            found.append("short_window")
        return found


_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, size: int = 3) -> frozenset[tuple[str, ...]]:
    words = _WORD.findall(text.casefold())
    if len(words) < size:
        return frozenset({tuple(words)}) if words else frozenset()
    return frozenset(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def near_duplicates(texts: Sequence[str], threshold: float = 0.5) -> int:
    """How many texts have a near twin in the wave (word 3-shingle Jaccard ≥ threshold):
    copy-paste campaigns change a word or two, not the whole review."""
    sets = [shingles(text) for text in texts]
    twins: set[int] = set()
    for i, first in enumerate(sets):
        if not first:
            continue
        for j in range(i + 1, len(sets)):
            second = sets[j]
            if second and len(first & second) / len(first | second) >= threshold:
                twins.update((i, j))
    return len(twins)


def looks_like_bombing(texts: Sequence[str]) -> bool:
    """Near-duplicate texts, or a quarter of the reviews with no text at all."""
    empty = sum(1 for text in texts if not text.strip())
    filled = [text for text in texts if text.strip()]
    return near_duplicates(filled) >= 2 or (bool(texts) and empty / len(texts) >= 0.25)


def wave_signals(reviews: Sequence[WaveReview], known_authors: set[str]) -> WaveSignals:
    """`known_authors`: authors of the brand seen before the wave began."""
    times = [review.at for review in reviews]
    sources: dict[str, int] = {}
    touchpoints: dict[str, int] = {}
    for review in reviews:
        sources[review.source_kind] = sources.get(review.source_kind, 0) + 1
        for tag in review.touchpoints:
            touchpoints[tag] = touchpoints.get(tag, 0) + 1
    named = [r.author.strip() for r in reviews if r.author and r.author.strip()]
    return WaveSignals(
        count=len(reviews),
        minutes=int((max(times) - min(times)).total_seconds() // 60) if times else 0,
        new_authors=sum(1 for author in named if author not in known_authors),
        near_duplicates=near_duplicates([r.text for r in reviews if r.text.strip()]),
        no_text=sum(1 for r in reviews if not r.text.strip()),
        sources=dict(sorted(sources.items(), key=lambda kv: -kv[1])),
        touchpoints=dict(sorted(touchpoints.items(), key=lambda kv: -kv[1])),
    )
