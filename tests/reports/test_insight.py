"""The reputation index with its interval, branch ranking, branch × touchpoint table and the
competitor comparison. Expected numbers are worked out here from first principles."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from reports import week_before
from reports.index import compute_index, index_interval
from reports.insight import InsightFigures
from reports.insight_build import build_insight
from reports.insight_chart import branch_chart, compare_chart
from reports.insight_text import branch_table, insight_html
from storage.db import make_sessionmaker
from storage.repositories import stats
from storage.repositories.stats import MentionRow
from tests.reports.factories import MSK, NOW, build_chain, chain_plan
from tests.reports.html_check import visible_text


def _expected_interval(pos: int, neg: int, n: int) -> tuple[float, float]:
    """Written out again: one positive and one negative pseudo-review, then Wald on the
    difference of two shares of one multinomial sample."""
    pp, pn = (pos + 1) / (n + 2), (neg + 1) / (n + 2)
    se = math.sqrt((pp + pn - (pp - pn) ** 2) / (n + 2))
    return max(-100.0, 100 * (pp - pn - 1.959964 * se)), min(100.0, 100 * (pp - pn + 1.959964 * se))


def _row(
    n: int, sentiment: str, rating: float | None = None, tags: list[dict[str, str]] | None = None
) -> MentionRow:
    return MentionRow(
        id=n, source_id=1, at=datetime(2026, 10, 6, tzinfo=UTC), url=None, author=None,
        rating=rating, title=None, text=f"t{n}", sentiment=sentiment, touchpoints=tags or [],
        backfill=False, language=None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("pos", "neg", "n"), [(4, 1, 5), (0, 0, 0), (10, 0, 10), (30, 45, 100), (1, 1, 3)]
)
def test_index_and_interval_match_the_formula(pos: int, neg: int, n: int) -> None:
    rows = [_row(i, "positive") for i in range(pos)] + [
        _row(100 + i, "negative") for i in range(neg)
    ]
    rows += [_row(200 + i, "neutral") for i in range(n - pos - neg)]
    figures = compute_index(rows)
    assert figures.mentions == n
    assert figures.index == (None if n == 0 else pytest.approx(100 * (pos - neg) / n))
    low, high = _expected_interval(pos, neg, n)
    assert (figures.interval.low, figures.interval.high) == (
        pytest.approx(low),
        pytest.approx(high),
    )


def test_worked_example_and_the_interval_narrows_with_more_reviews() -> None:
    # 4 of 5 positive, 1 negative: index +60; adjusted shares 5/7 and 2/7.
    interval = index_interval(4, 1, 5)
    assert interval.low == pytest.approx(100 * (3 / 7 - 1.959964 * math.sqrt((1 - 9 / 49) / 7)))
    assert interval.low == pytest.approx(-24.07, abs=0.01) and interval.high == 100
    assert index_interval(0, 0, 0).low == -100 and index_interval(0, 0, 0).high == 100
    widths = [index_interval(6 * k, 2 * k, 10 * k).half_width for k in (1, 4, 16, 64)]
    assert widths == sorted(widths, reverse=True) and widths[-1] < 8


def test_interval_covers_the_true_index_about_95_percent_of_the_time() -> None:
    """Exact coverage over every outcome of 30 reviews (multinomial), for a few true shares."""
    n = 30
    for p_pos, p_neg in ((0.5, 0.3), (0.8, 0.1), (0.2, 0.6), (0.34, 0.33)):
        truth = 100 * (p_pos - p_neg)
        covered = 0.0
        for pos in range(n + 1):
            for neg in range(n + 1 - pos):
                prob = (
                    math.comb(n, pos) * math.comb(n - pos, neg)
                    * p_pos**pos * p_neg**neg * (1 - p_pos - p_neg) ** (n - pos - neg)
                )  # fmt: skip
                interval = index_interval(pos, neg, n)
                covered += prob * (interval.low <= truth <= interval.high)
        assert 0.92 <= covered <= 0.99, (p_pos, p_neg, covered)


def test_touchpoint_index_and_the_movers_follow_the_weeks_change() -> None:
    staff_neg = [{"tag": "staff", "polarity": "negative"}]
    rows = [
        _row(1, "positive", 5, [{"tag": "staff", "polarity": "positive"}]),
        _row(2, "negative", 1, staff_neg),
        _row(3, "negative", 2, staff_neg),
        _row(4, "positive", 5),
        _row(5, "neutral", 3),
    ]
    staff = compute_index(rows, touchpoint="staff")
    assert (staff.mentions, staff.positive, staff.negative) == (3, 1, 2)
    assert staff.index == pytest.approx(-100 / 3)
    fell = compute_index(rows, direction=-20)
    # Index 0 (2 positive, 2 negative of 5); without one negative it would be (2 − 1) / 4 = +25,
    # so each negative moved it by −25; the 1★ one speaks clearest.
    assert [m.mention.id for m in fell.movers[:2]] == [2, 3]
    assert fell.movers[0].influence == pytest.approx(0 - 100 * (2 - 1) / 4)
    rose = compute_index(rows, direction=+20)
    assert {m.mention.id for m in rose.movers[:2]} == {1, 4}


@pytest.fixture
async def chain_insight(sqlite_engine: AsyncEngine) -> InsightFigures:
    sessions = make_sessionmaker(sqlite_engine)
    async with sessions() as session, session.begin():
        chain = await build_chain(session)
    async with sessions() as session:
        brand = await stats.brand_by_id(session, chain.brand_id)
        assert brand is not None
        period = week_before(NOW.astimezone(MSK).date(), "Europe/Moscow")
        return await build_insight(session, brand, period)


def _plan_index(name: str, week: str) -> float:
    rows = chain_plan()[(name, week)]
    return (
        100
        * (sum(r[0] == "positive" for r in rows) - sum(r[0] == "negative" for r in rows))
        / len(rows)
    )


async def test_branches_are_ranked_with_a_branch_by_touchpoint_table(
    chain_insight: InsightFigures,
) -> None:
    figures = chain_insight
    assert [b.name for b in figures.branches] == ["Арбат", "Невский", "Тверская"]
    for branch in figures.branches:
        assert branch.current.index == pytest.approx(_plan_index(branch.name, "current"))
        assert branch.previous.index == pytest.approx(_plan_index(branch.name, "previous"))
    ranking = figures.ranking
    assert ranking is not None
    assert (ranking.best.name, ranking.worst.name) == ("Арбат", "Невский")
    assert ranking.biggest_change is not None and ranking.biggest_change.name == "Тверская"
    assert ranking.biggest_change.change == pytest.approx(0 - 100)
    assert figures.table_touchpoints[:2] == ["staff", "product"]
    assert figures.table[("Невский", "staff")].index == -100
    assert figures.table[("Арбат", "product")].index == 100
    table = branch_table(figures, "ru").splitlines()
    assert len(table) == 4 and all(len(line) <= 34 for line in table)
    assert table[2].startswith("Невский") and "−100" in table[2]


async def test_competitors_side_by_side(chain_insight: InsightFigures) -> None:
    names = [(c.name, c.own, c.volume) for c in chain_insight.contenders]
    assert names == [("Кофемания", True, 14), ("Старбакс", False, 3), ("Шоколадница", False, 4)]
    rival = chain_insight.contenders[2]
    assert rival.index.index == 0 and rival.index.rating == pytest.approx(3.0)
    assert chain_insight.contenders[1].index.index == 100


@pytest.mark.parametrize("lang", ["ru", "en"])
async def test_insight_text_and_charts(chain_insight: InsightFigures, lang: str) -> None:
    text = visible_text(insight_html(chain_insight, lang))
    best, worst = ("Лучший", "Худший") if lang == "ru" else ("Best", "Worst")
    assert f"{best}: Арбат +60" in text and f"{worst}: Невский −40" in text
    assert "Шоколадница" in text and "Старбакс" in text
    for png in (branch_chart(chain_insight, lang), compare_chart(chain_insight, lang)):
        assert png.startswith(b"\x89PNG") and 10_000 < len(png) < 200_000
