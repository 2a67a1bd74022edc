"""The one response rule, shared by the digest and /stats: which cases count, which were
answered, on time or not, and how fast."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from common.vocabulary import OPEN_STATUSES, CaseStatus


class CaseTimes(Protocol):
    """What the rule reads of a case (storage's CaseRow has it)."""

    @property
    def status(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def due_at(self) -> datetime | None: ...
    @property
    def first_response_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class ResponseFigures:
    """Cases opened in a period and how they were answered, as of the period's cutoff."""

    cases: int = 0
    responded: int = 0
    ignored: int = 0
    on_time: int = 0
    missed_deadlines: int = 0
    open: int = 0
    median_minutes: float | None = None
    # Reviews whose stars went up after the business answered (edits seen in the period),
    # and by how many stars on average.
    ratings_raised: int = 0
    average_gain: float | None = None

    @property
    def counted(self) -> int:
        return self.cases - self.ignored

    @property
    def rate(self) -> int | None:
        """Percentage of cases (ignored ones without an answer left out) with a first response."""
        return round(100 * self.responded / self.counted) if self.counted else None


class AssignedCase(CaseTimes, Protocol):
    @property
    def assignee_name(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class MemberSpeed:
    """How fast one team member gave first responses: the cases they answered, the median."""

    name: str
    answered: int
    median_minutes: float


def member_speeds(cases: Iterable[AssignedCase], cutoff: datetime) -> list[MemberSpeed]:
    """Median time to first response per assignee, fastest first (the same answers as the
    response rule: given by the cutoff)."""
    waits: dict[str, list[float]] = {}
    for case in cases:
        answer = case.first_response_at
        if case.assignee_name is None or answer is None or answer > cutoff:
            continue
        waits.setdefault(case.assignee_name, []).append(
            (answer - case.created_at).total_seconds() / 60
        )
    speeds = [
        MemberSpeed(name, len(minutes), round(statistics.median(minutes), 1))
        for name, minutes in waits.items()
    ]
    return sorted(speeds, key=lambda speed: (speed.median_minutes, speed.name))


class StarsChange(Protocol):
    """What the gain reads of a raised rating (storage's RatingRaise has it)."""

    @property
    def mention_id(self) -> int: ...
    @property
    def old_rating(self) -> float: ...
    @property
    def new_rating(self) -> float: ...


def rating_gains(raises: Iterable[StarsChange]) -> tuple[int, float | None]:
    """Reviews raised after a reply and their average gain in stars; a review edited up twice
    counts once, from its first stars to its last."""
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    for change in raises:
        first.setdefault(change.mention_id, change.old_rating)
        last[change.mention_id] = change.new_rating
    gains = [last[mention] - first[mention] for mention in first]
    return len(gains), (round(statistics.mean(gains), 1) if gains else None)


def response_figures(cases: Iterable[CaseTimes], cutoff: datetime) -> ResponseFigures:
    total = responded = ignored = on_time = missed = still_open = 0
    minutes: list[float] = []
    for case in cases:
        total += 1
        still_open += case.status in OPEN_STATUSES
        answer = case.first_response_at
        if answer is not None and answer > cutoff:
            answer = None
        if answer is None and case.status == CaseStatus.IGNORED:
            # Ignoring spam is a decision, not a failure to respond: out of the rate.
            ignored += 1
            continue
        if answer is not None:
            responded += 1
            minutes.append((answer - case.created_at).total_seconds() / 60)
        if case.due_at is None:
            on_time += answer is not None
        elif answer is not None:
            late = answer > case.due_at
            on_time += not late
            missed += late
        else:
            missed += case.due_at < cutoff
    return ResponseFigures(
        cases=total,
        responded=responded,
        ignored=ignored,
        on_time=on_time,
        missed_deadlines=missed,
        open=still_open,
        median_minutes=round(statistics.median(minutes), 1) if minutes else None,
    )
