"""Insight charts sized for a phone: the branch ranking and the competitor comparison.

Horizontal bars (names stay readable without rotation), big type, the interval drawn as a
whisker so a branch with three reviews does not look as sure as one with three hundred.
Bare matplotlib Figure + Agg canvas, as reports/chart.py: safe in a worker thread.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from reports.i18n import day_range, language, number, signed
from reports.index import IndexFigures
from reports.insight import InsightFigures

WIDTH_PX, DPI = 1080, 100
GOOD, BAD, OWN, OTHER = "#3aa55d", "#d64541", "#1f4e9c", "#8a94a3"
_TITLES = {
    "ru": {
        "branches": "Индекс репутации по филиалам",
        "compare": "Мы и конкуренты",
        "index": "Индекс (−100…100), усы — 95% интервал",
        "volume": "Упоминаний",
        "rating": "Средняя оценка",
    },
    "en": {
        "branches": "Reputation index by branch",
        "compare": "Us and competitors",
        "index": "Index (−100…100), whiskers: 95% interval",
        "volume": "Mentions",
        "rating": "Average rating",
    },
}


def _title(lang: str, key: str) -> str:
    return _TITLES[language(lang)][key]


def branch_chart(figures: InsightFigures, lang: str) -> bytes:
    """Branches best to worst (best on top), index bars with interval whiskers."""
    rows = sorted(
        figures.branches, key=lambda b: -999 if b.current.index is None else b.current.index
    )
    return _index_bars(
        f"{figures.brand_name} — {_title(lang, 'branches')}",
        figures,
        [(b.name, b.current, None) for b in rows],
        lang,
    )


def compare_chart(figures: InsightFigures, lang: str) -> bytes:
    """The brand and its competitors: index with whiskers, labelled with rating and volume."""
    rows = sorted(
        figures.contenders, key=lambda c: -999 if c.index.index is None else c.index.index
    )
    return _index_bars(
        f"{figures.brand_name} — {_title(lang, 'compare')}",
        figures,
        [(c.name, c.index, OWN if c.own else OTHER) for c in rows],
        lang,
    )


def _index_bars(
    title: str,
    figures: InsightFigures,
    rows: list[tuple[str, IndexFigures, str | None]],
    lang: str,
) -> bytes:
    height_px = max(420, 170 + 90 * len(rows))
    figure = Figure(figsize=(WIDTH_PX / DPI, height_px / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    figure.suptitle(
        f"{title}\n{day_range(figures.period.first_day, figures.period.last_day, lang)}",
        fontsize=17,
        parse_math=False,
    )
    top = 1 - 120 / height_px
    axes = figure.add_axes((0.25, 70 / height_px, 0.52, top - 70 / height_px))
    positions = list(range(len(rows)))
    values = [row[1].index or 0.0 for row in rows]
    colors = [
        row[2] or (GOOD if value >= 0 else BAD) for row, value in zip(rows, values, strict=True)
    ]
    axes.barh(positions, values, color=colors, height=0.6)
    lows = [
        v - (r[1].interval.low if r[1].index is not None else v)
        for r, v in zip(rows, values, strict=True)
    ]
    highs = [
        (r[1].interval.high if r[1].index is not None else v) - v
        for r, v in zip(rows, values, strict=True)
    ]
    axes.errorbar(
        values, positions, xerr=[lows, highs], fmt="none", ecolor="#333333", capsize=6, lw=1.6
    )
    axes.set_yticks(positions)
    axes.set_yticklabels([_short(row[0]) for row in rows], fontsize=15)
    axes.set_xlim(-100, 100)
    axes.set_ylim(-0.6, len(rows) - 0.4)
    axes.axvline(0, color="#555555", lw=1)
    axes.set_xlabel(_title(lang, "index"), fontsize=13)
    axes.tick_params(axis="x", labelsize=13)
    axes.grid(axis="x", alpha=0.3)
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    for position, (_, index, _) in zip(positions, rows, strict=True):
        label = "—" if index.index is None else signed(index.index, lang)
        rating = f" · ★{number(index.rating, lang)}" if index.rating is not None else ""
        figure.text(
            0.79,
            axes.transData.transform((0, position))[1] / height_px,
            f"{label} · n={index.mentions}{rating}",
            fontsize=13,
            va="center",
        )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _short(name: str, width: int = 18) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"
