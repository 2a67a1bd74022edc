"""Digest figures against a controlled week, computed again here from the specs."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reports import build_figures, parse_period, week_before
from reports.figures import _failed_sources
from reports.touchpoints import short_quote
from storage.repositories import stats
from storage.repositories.stats import SourceEventRow, SourceInfo
from tests.reports.factories import MSK, NOW, WEEK_START, MentionSpec, add_brand, build_week


def _index(specs: list[MentionSpec]) -> int:
    labels = Counter(spec.sentiment for spec in specs if spec.sentiment)
    classified = sum(labels.values())
    return round(100 * (labels["positive"] - labels["negative"]) / classified)


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 2)


async def test_week_figures_match_an_independent_count(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Runs on SQLite and on the real PostgreSQL server."""
    async with sessions() as session, session.begin():
        week = await build_week(session)
    async with sessions() as session:
        brand = await stats.brand_by_id(session, week.brand_id)
        assert brand is not None
        figures = await build_figures(
            session, brand, week_before(NOW.astimezone(MSK).date(), "Europe/Moscow"), NOW
        )

    assert figures.period.first_day == WEEK_START
    assert figures.period.start == datetime(2026, 10, 4, 21, tzinfo=UTC)
    now_labels = Counter(spec.sentiment or "unclassified" for spec in week.current)
    assert figures.current.total == len(week.current) == 10
    assert figures.current.positive == now_labels["positive"]
    assert figures.current.negative == now_labels["negative"]
    assert figures.current.neutral == now_labels["neutral"]
    assert figures.current.unclassified == now_labels["unclassified"] == 1
    assert figures.previous.total == len(week.previous)
    assert figures.current.index == _index(week.current)
    assert figures.previous.index == _index(week.previous)
    assert figures.index_change == _index(week.current) - _index(week.previous)
    assert figures.backfill == sum(spec.backfill for spec in week.current) == 1

    ratings = [spec.rating for spec in week.current if spec.rating is not None]
    assert figures.average_rating == _mean(ratings)
    by_kind = {source.kind: source for source in figures.sources}
    for kind in ("yandex_maps", "twogis"):
        now_r = [s.rating for s in week.current if s.source == kind and s.rating is not None]
        was_r = [s.rating for s in week.previous if s.source == kind and s.rating is not None]
        assert by_kind[kind].mentions == sum(s.source == kind for s in week.current)
        assert by_kind[kind].average_rating == _mean(now_r)
        assert by_kind[kind].rating_change == round(_mean(now_r) - _mean(was_r), 2)
    assert by_kind["otzovik"].average_rating is None  # no stars on that site

    # Days are Moscow days: each spec lands on its own local date.
    per_day = Counter(spec.day for spec in week.current)
    assert [day.counts.total for day in figures.days] == [per_day[d.day] for d in figures.days]
    assert figures.days[0].counts.total == 2  # includes Monday 01:00 MSK = Sunday UTC

    # Cases: 4 opened, 1 ignored without answer, 2 answered (30 min and 3 h), 2 deadlines missed.
    assert figures.response.cases == 4
    assert figures.response.counted == 3
    assert figures.response.responded == 2
    assert figures.response.rate == round(100 * 2 / 3)
    assert figures.response.median_minutes == statistics.median([30, 180])
    assert figures.response.missed_deadlines == 2
    assert figures.previous_response.rate == 100
    assert figures.previous_response.median_minutes == 120

    criticised = {item.tag: item for item in figures.criticised}
    assert [item.tag for item in figures.criticised] == ["staff", "waiting"]
    assert criticised["staff"].count == 3 and criticised["staff"].previous_count == 0
    assert criticised["waiting"].count == 2 and criticised["waiting"].previous_count == 1
    assert criticised["staff"].quote == short_quote(week.current[7].text)
    assert [item.tag for item in figures.praised] == ["product"]
    assert figures.praised[0].count == 3
    assert figures.praised[0].quote == "Лучший кофе в городе"

    assert [case.id for case in figures.open_cases] == week.open_case_ids
    assert figures.open_cases[0].overdue
    assert figures.open_total == len(week.open_case_ids)
    assert figures.open_overdue == sum(case.overdue for case in figures.open_cases) >= 1
    failed = {source.kind: source for source in figures.failed_sources}
    assert set(failed) == {"twogis", "otzovik"}
    assert failed["twogis"].failures == 2
    assert failed["twogis"].last_error == "timeout <after 30 s>"
    assert failed["otzovik"].health == "unhealthy"


async def test_open_cases_are_counted_in_full_and_listed_oldest_first_up_to_the_limit(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        week = await build_week(session)
    async with sessions() as session:
        everything = await stats.open_cases(session, week.brand_id, NOW, limit=100)
        first = await stats.open_cases(session, week.brand_id, NOW, limit=1)
        sources = {case.source_id for case in everything.oldest}
        one_source = await stats.open_cases(
            session, week.brand_id, NOW, limit=100, source_ids={min(sources)}
        )
    assert [case.id for case in everything.oldest] == week.open_case_ids
    assert (first.total, first.overdue) == (everything.total, everything.overdue)
    assert [case.id for case in first.oldest] == week.open_case_ids[:1]
    of_source = [case.id for case in everything.oldest if case.source_id == min(sources)]
    assert [case.id for case in one_source.oldest] == of_source
    assert one_source.total == len(of_source)


async def test_new_brand_with_no_mentions_is_empty(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        brand_row = await add_brand(session, "Новый", NOW - timedelta(days=2))
    async with sessions() as session:
        brand = await stats.brand_by_name(session, "новый")
        assert brand is not None and brand.id == brand_row.id
        figures = await build_figures(session, brand, parse_period("7d", NOW, "Europe/Moscow"), NOW)
    assert figures.empty and figures.brand_is_new
    assert figures.current.index is None
    assert figures.response.rate is None
    assert figures.criticised == [] and figures.sources == []


def test_short_quote_cuts_at_a_word() -> None:
    assert short_quote("Первое предложение. Второе.") == "Первое предложение."
    long = "слово " * 40
    quote = short_quote(long, 30)
    assert len(quote) <= 30 and quote.endswith("…") and "  " not in quote


def test_only_failures_count_as_failures_not_what_a_good_poll_noted() -> None:
    at = datetime(2026, 10, 6, 12, 0, tzinfo=UTC)
    good = SourceInfo(1, "twogis", "https://2gis.ru/moscow/firm/1", "ok", None, True)
    bad = SourceInfo(2, "otzovik", "https://otzovik.com/reviews/x/", "ok", None, True)
    events = [
        SourceEventRow(1, at, "skipped", "2 malformed entries skipped"),
        SourceEventRow(1, at, "path", "public API"),
        SourceEventRow(2, at, "error", "HTTP 503"),
        SourceEventRow(2, at, "misconfigured", "option key is missing"),
    ]
    (failed,) = _failed_sources([good, bad], events)
    assert failed.kind == "otzovik" and failed.failures == 2
