"""The chart is a real PNG of the fixed size with the data drawn on it."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
from PIL import Image

from reports import DigestFigures, parse_period, render_chart
from reports.chart import HEIGHT_PX, WIDTH_PX
from reports.figures import DayFigures, SentimentCounts
from tests.reports.factories import NOW


def _pixels(png: bytes) -> np.ndarray:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.verify()  # a truncated or corrupt file raises here
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (WIDTH_PX, HEIGHT_PX) == (1200, 600)
    return np.asarray(image).astype(int)


def _share(pixels: np.ndarray, rgb: tuple[int, int, int]) -> float:
    close = np.abs(pixels - np.array(rgb)).sum(axis=2) < 30
    return float(close.mean())


def test_week_chart_has_bars_and_rating_line(week_figures: DigestFigures) -> None:
    pixels = _pixels(render_chart(week_figures, "ru"))
    non_white = float((pixels.sum(axis=2) < 740).mean())
    assert non_white > 0.15
    assert _share(pixels, (0xD6, 0x45, 0x41)) > 0.02  # negative bars
    assert _share(pixels, (0x3A, 0xA5, 0x5D)) > 0.02  # positive bars
    assert _share(pixels, (0x1F, 0x4E, 0x9C)) > 0.001  # the rating line


def test_month_chart_and_english_labels(week_figures: DigestFigures) -> None:
    month = parse_period("2026-10", NOW, "Europe/Moscow")
    days = [
        DayFigures(day, SentimentCounts(positive=day.day % 4, negative=1), 4.0)
        for day in month.day_list()
    ]
    figures = dataclasses.replace(week_figures, period=month, days=days)
    pixels = _pixels(render_chart(figures, "en"))
    assert _share(pixels, (0x3A, 0xA5, 0x5D)) > 0.02


def test_empty_period_gets_a_no_data_card_not_a_blank_chart(week_figures: DigestFigures) -> None:
    empty = dataclasses.replace(week_figures, current=SentimentCounts(), brand_name="$x$ {y}")
    pixels = _pixels(render_chart(empty, "ru"))
    non_white = float((pixels.sum(axis=2) < 740).mean())
    assert 0.002 < non_white < 0.1  # the title and the notice, no axes
    assert _share(pixels, (0xD6, 0x45, 0x41)) == 0
