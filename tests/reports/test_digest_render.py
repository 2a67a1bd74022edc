"""What the owner reads: the Telegram digest in both languages, the documents and the CSV."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import timedelta

from reports import DigestFigures, digest_html, html_report, markdown_report, mentions_csv
from reports.figures import OpenCase, SentimentCounts
from reports.telegram import CAPTION_LIMIT, MESSAGE_LIMIT
from storage.repositories.stats import MentionRow, SourceInfo
from tests.reports.factories import NOW
from tests.reports.html_check import visible_text


def test_russian_digest_shows_the_week(week_figures: DigestFigures) -> None:
    html_text = digest_html(week_figures, "ru")
    text = visible_text(html_text)
    assert "<b>Кофемания &lt;&amp;&gt;</b>" in html_text
    assert text.startswith("📊 Кофемания <&> — дайджест репутации, 5–11 октября 2026")
    assert "Упоминаний: 10 (было 4, +6)" in text
    assert "👍 4 · 😐 1 · 👎 4 · без оценки тональности: 1" in text
    assert "Индекс репутации: 0 (было +25, ▼25)" in text
    assert "Средняя оценка: 3,1 ★ (было 3,8, −0,6)" in text
    assert "• Яндекс Карты — 6 (+4), ★ 3,3 (−1,2)" in text
    assert "Ответили на 2 из 3 обращений (67%, было 100%)" in text
    assert "Медиана до первого ответа: 1 ч 45 мин (было 2 ч)" in text
    assert "⏰ Просрочено: 2" in text
    assert "• персонал — 3: «Снова ждали больше часа»" in text
    assert "• ожидание — 2 (было 1): «Ждали заказ 50 минут.»" in text
    assert "• качество — 3 (было 1): «Лучший кофе в городе»" in text
    case_id = week_figures.open_cases[0].id
    assert f"• #{case_id} ⏰ просрочено — Грубый администратор." in text
    assert f'<a href="{week_figures.open_cases[0].url}">#{case_id}</a>' in html_text
    assert "• 2ГИС: ошибок: 2 — timeout <after 30 s>" in text
    assert "• Отзовик: сейчас: не отвечает — HTTP 503" in text
    assert len(text) < MESSAGE_LIMIT


def test_english_digest(week_figures: DigestFigures) -> None:
    text = visible_text(digest_html(week_figures, "en"))
    assert text.startswith("📊 Кофемания <&> — reputation digest, Oct 5–11, 2026")
    assert "Reputation index: 0 (was +25, ▼25)" in text
    assert "Answered 2 of 3 cases (67%, was 100%)" in text
    assert "Median time to first response: 1 h 45 min (was 2 h)" in text
    assert "Most criticised" in text and "Most praised" in text


def test_hostile_text_is_escaped(week_figures: DigestFigures) -> None:
    hostile = '<a href="javascript:x">&amp; <script>'
    figures = dataclasses.replace(
        week_figures,
        brand_name="</b><i>",
        open_cases=[OpenCase(9, 'https://x.example/?a=1&b="2"', NOW, False, hostile)],
        open_total=1,
        open_overdue=0,
        criticised=[dataclasses.replace(week_figures.criticised[0], quote=hostile)],
    )
    html_text = digest_html(figures, "ru")
    text = visible_text(html_text)  # would fail on an injected tag
    assert "</b><i>" in text and hostile in text
    assert 'href="https://x.example/?a=1&amp;b=&quot;2&quot;"' in html_text


def test_many_open_cases_still_fit_one_message(week_figures: DigestFigures) -> None:
    # A neglected busy brand: the figures list the oldest 50 and count the rest.
    cases = [
        OpenCase(n, f"https://reviews.example/{'x' * 300}/{n}", NOW, True, "слово " * 20)
        for n in range(50)
    ]
    figures = dataclasses.replace(
        week_figures, open_cases=cases, open_total=42_000, open_overdue=30_000
    )
    html_text = digest_html(figures, "ru")
    assert len(html_text) <= MESSAGE_LIMIT
    text = visible_text(html_text)
    assert "Открытые обращения (42000, из них просрочено: 30000)" in text
    shown = text.count("⏰ просрочено")
    assert shown and f"и ещё {42_000 - shown}" in text
    report = markdown_report(figures, "en", "chart.png")
    assert "Open cases (42000, 30000 overdue)" in report
    assert report.count("⏰ overdue") == 50 and "and 41950 more" in report


def test_empty_week_is_a_short_message(week_figures: DigestFigures) -> None:
    empty = dataclasses.replace(
        week_figures,
        current=SentimentCounts(),
        sources=[],
        criticised=[],
        praised=[],
        open_cases=[],
        open_total=0,
        open_overdue=0,
        failed_sources=[],
        response=dataclasses.replace(week_figures.response, cases=0),
        brand_is_new=False,
    )
    text = visible_text(digest_html(empty, "ru"))
    assert text.splitlines()[-1] == "За этот период упоминаний не было."
    assert len(text) < CAPTION_LIMIT
    new = visible_text(digest_html(dataclasses.replace(empty, brand_is_new=True), "en"))
    assert "The brand was added recently" in new
    # A silent week with broken sources says why it may be silent.
    broken = dataclasses.replace(empty, failed_sources=week_figures.failed_sources)
    assert "Сбои источников" in visible_text(digest_html(broken, "ru"))


def test_markdown_and_html_reports(week_figures: DigestFigures) -> None:
    markdown = markdown_report(week_figures, "ru", "chart.png")
    assert markdown.startswith("# Кофемания \\<&\\> — Отчёт о репутации, 5–11 октября 2026")
    assert "![Упоминания по дням и средняя оценка](chart.png)" in markdown
    assert "| [Яндекс Карты](<https://yandex.ru/maps/org/1/>) | 6 | 2 | 3,3 | −1,2 |" in markdown
    assert "Ответили на 2 из 3 обращений" in markdown
    document = html_report(week_figures, "en", "chart.png")
    assert document.startswith("<!doctype html>")
    assert "<h1>Кофемания &lt;&amp;&gt; — Reputation report, Oct 5–11, 2026</h1>" in document
    assert '<img src="chart.png"' in document
    assert "<script" not in document


def test_mentions_csv_is_safe_for_spreadsheets(week_figures: DigestFigures) -> None:
    sources = [SourceInfo(1, "yandex_maps", "https://y.example/", "ok", None, True)]
    rows = [
        *week_figures.mentions,
        MentionRow(
            999, 1, NOW - timedelta(days=1), None, "=cmd|' /C calc'!A0", 1.0, None,
            "+7 999, «кавычки», \"quotes\"\nвторая строка", "negative", [], False, "ru",
        ),
    ]  # fmt: skip
    data = mentions_csv(rows, sources)
    assert data.startswith("\ufeffid,date,source")
    parsed = list(csv.DictReader(io.StringIO(data.lstrip("\ufeff"))))
    assert len(parsed) == len(week_figures.mentions) + 1
    hostile = next(row for row in parsed if row["id"] == "999")
    assert hostile["author"].startswith("'=")
    assert hostile["text"] == '\'+7 999, «кавычки», "quotes"\nвторая строка'
    assert hostile["source"] == "yandex_maps"
