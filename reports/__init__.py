"""Digest and report figures and their renderings: Telegram HTML, Markdown, HTML, PNG, CSV.

Knows storage only through storage.repositories.stats records; knows nothing of Telegram's API.
"""

from reports.build import build_figures
from reports.chart import render_chart
from reports.csv_export import mentions_csv
from reports.documents import html_report, markdown_report
from reports.figures import DigestFigures, compute_figures
from reports.periods import Period, PeriodError, month_period, parse_period, week_before
from reports.telegram import digest_html, header

__all__ = [
    "DigestFigures",
    "Period",
    "PeriodError",
    "build_figures",
    "compute_figures",
    "digest_html",
    "header",
    "html_report",
    "markdown_report",
    "mentions_csv",
    "month_period",
    "parse_period",
    "render_chart",
    "week_before",
]
