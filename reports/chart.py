"""The digest chart: daily mentions stacked by sentiment, average rating on a second axis.

Drawn on a bare matplotlib Figure with the Agg canvas: no pyplot state, no display, safe to
run in a worker thread.
"""

from __future__ import annotations

import io
import math

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from common.vocabulary import Label
from reports.figures import DigestFigures
from reports.i18n import day_range, short_day, t

WIDTH_PX, HEIGHT_PX, DPI = 1200, 600, 100
# Stack order bottom to top: the bad news sits on the baseline where it is easiest to compare.
LAYERS = (
    (Label.NEGATIVE, "#d64541"),
    (Label.NEUTRAL, "#a9b1bb"),
    (Label.POSITIVE, "#3aa55d"),
)
UNCLASSIFIED_COLOR = "#e3e6ea"
RATING_COLOR = "#1f4e9c"


def render_chart(figures: DigestFigures, lang: str) -> bytes:
    """PNG bytes, exactly WIDTH_PX × HEIGHT_PX; a period without mentions gets a 'no data' card."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    title = figure.suptitle(
        f"{figures.brand_name} — {t(lang, 'chart_title')}\n"
        f"{day_range(figures.period.first_day, figures.period.last_day, lang)}",
        fontsize=14,
        parse_math=False,  # a "$" in a brand name is not TeX
    )
    title.set_wrap(True)
    if figures.empty:
        figure.text(0.5, 0.45, t(lang, "no_data"), ha="center", va="center", fontsize=22,
                    color="#6b7280")  # fmt: skip
    else:
        _draw(figure, figures, lang)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _draw(figure: Figure, figures: DigestFigures, lang: str) -> None:
    axes = figure.add_axes((0.07, 0.2, 0.84, 0.62))
    days = figures.days
    positions = list(range(len(days)))
    bottom = [0] * len(days)
    for key, color in LAYERS:
        heights = [getattr(day.counts, key) for day in days]
        axes.bar(positions, heights, bottom=bottom, color=color, width=0.7, label=t(lang, key))
        bottom = [low + high for low, high in zip(bottom, heights, strict=True)]
    unclassified = [day.counts.unclassified for day in days]
    if any(unclassified):
        axes.bar(positions, unclassified, bottom=bottom, color=UNCLASSIFIED_COLOR, width=0.7,
                 label=t(lang, "unclassified_short"))  # fmt: skip
    axes.set_ylabel(t(lang, "chart_count"))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    tallest = max(low + high for low, high in zip(bottom, unclassified, strict=True))
    axes.set_ylim(0, max(tallest, 1) * 1.15)
    axes.set_xlim(-0.6, len(days) - 0.4)
    step = max(1, math.ceil(len(days) / 15))
    axes.set_xticks(positions[::step], [short_day(day.day, lang) for day in days[::step]])
    axes.spines[["top"]].set_visible(False)
    axes.grid(axis="y", alpha=0.3)

    ratings = [day.average_rating if day.average_rating is not None else math.nan for day in days]
    rating_axes = axes.twinx()
    rating_axes.plot(positions, ratings, color=RATING_COLOR, marker="o", linewidth=2.2,
                     label=t(lang, "chart_rating"))  # fmt: skip
    rating_axes.set_ylim(0.8, 5.2)
    rating_axes.set_yticks([1, 2, 3, 4, 5])
    rating_axes.set_ylabel(t(lang, "chart_rating"), color=RATING_COLOR)
    rating_axes.spines[["top"]].set_visible(False)

    handles, labels = axes.get_legend_handles_labels()
    line_handles, line_labels = rating_axes.get_legend_handles_labels()
    figure.legend(handles + line_handles, labels + line_labels, loc="lower center",
                  ncol=len(labels) + 1, frameon=False, fontsize=11)  # fmt: skip
