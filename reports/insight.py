"""Insight figures of a brand's period: its index with interval and movers, its branches ranked
with a branch × touchpoint table, and its competitors side by side. Plain records in, no
database and no rendering here (reports/insight_build.py loads, insight_text/_chart render)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reports.index import IndexFigures, compute_index
from reports.periods import Period
from reports.touchpoints import touchpoint_marks
from storage.repositories.stats import MentionRow

TABLE_TOUCHPOINTS = 4
COMPARE_TOUCHPOINTS = 3


@dataclass(frozen=True, slots=True)
class ScopeIndex:
    """One scope's index now and in the period before."""

    name: str
    current: IndexFigures
    previous: IndexFigures

    @property
    def change(self) -> float | None:
        now, before = self.current.index, self.previous.index
        return None if now is None or before is None else now - before


@dataclass(frozen=True, slots=True)
class BranchRanking:
    best: ScopeIndex
    worst: ScopeIndex
    biggest_change: ScopeIndex | None


@dataclass(frozen=True, slots=True)
class Contender:
    """The brand or a competitor in the comparison."""

    name: str
    own: bool
    index: IndexFigures
    volume: int
    touchpoints: tuple[tuple[str, IndexFigures], ...]


@dataclass(frozen=True, slots=True)
class InsightFigures:
    brand_name: str
    period: Period
    brand: ScopeIndex
    branches: list[ScopeIndex]
    table_touchpoints: list[str]
    table: dict[tuple[str, str], IndexFigures]
    contenders: list[Contender]

    @property
    def ranking(self) -> BranchRanking | None:
        ranked = [b for b in self.branches if b.current.index is not None]
        if len(ranked) < 2:
            return None
        order = sorted(ranked, key=lambda b: (b.current.index or 0, b.current.mentions))
        changed = [b for b in ranked if b.change is not None]
        biggest = max(changed, key=lambda b: abs(b.change or 0), default=None)
        return BranchRanking(order[-1], order[0], biggest)

    @property
    def has_branches(self) -> bool:
        return len(self.branches) > 1

    @property
    def has_competitors(self) -> bool:
        return len(self.contenders) > 1


def compute_insight(
    *,
    brand_name: str,
    period: Period,
    mentions: Sequence[MentionRow],
    previous_mentions: Sequence[MentionRow],
    branch_names: Mapping[int, str],
    source_branch: Mapping[int, int | None],
    competitors: Sequence[tuple[str, Sequence[MentionRow]]] = (),
) -> InsightFigures:
    """`branch_names`: branch id → name in display order; `source_branch`: source id → branch
    id; `competitors`: each competitor's name and mentions of the same period."""
    brand_before = compute_index(previous_mentions)
    brand = ScopeIndex(
        brand_name,
        compute_index(mentions, direction=_direction(mentions, brand_before)),
        brand_before,
    )

    def of_branch(rows: Sequence[MentionRow], branch_id: int) -> list[MentionRow]:
        return [m for m in rows if source_branch.get(m.source_id) == branch_id]

    branches = []
    by_branch: dict[str, list[MentionRow]] = {}
    for branch_id, name in branch_names.items():
        now_rows = by_branch[name] = of_branch(mentions, branch_id)
        before = compute_index(of_branch(previous_mentions, branch_id))
        branches.append(
            ScopeIndex(
                name, compute_index(now_rows, direction=_direction(now_rows, before)), before
            )
        )
    columns = top_touchpoints(mentions, TABLE_TOUCHPOINTS)
    table = {
        (name, tag): compute_index(rows, touchpoint=tag)
        for name, rows in by_branch.items()
        for tag in columns
    }
    contenders: list[Contender] = []
    if competitors:
        contenders = [
            _contender(name, rows, own=index == 0)
            for index, (name, rows) in enumerate([(brand_name, mentions), *competitors])
        ]
    return InsightFigures(brand_name, period, brand, branches, columns, table, contenders)


def top_touchpoints(mentions: Sequence[MentionRow], limit: int) -> list[str]:
    counts = Counter(
        tag for m in mentions if not m.backfill for tag in {tag for tag, _ in touchpoint_marks(m)}
    )
    return [tag for tag, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


def _contender(name: str, mentions: Sequence[MentionRow], *, own: bool) -> Contender:
    return Contender(
        name=name,
        own=own,
        index=compute_index(mentions),
        volume=sum(1 for m in mentions if not m.backfill),
        touchpoints=tuple(
            (tag, compute_index(mentions, touchpoint=tag))
            for tag in top_touchpoints(mentions, COMPARE_TOUCHPOINTS)
        ),
    )


def _direction(mentions: Sequence[MentionRow], before: IndexFigures) -> float | None:
    now = compute_index(mentions).index
    return None if now is None or before.index is None else now - before.index
