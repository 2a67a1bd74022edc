"""The digest as a Telegram HTML message (parse_mode=HTML), every user text escaped."""

from __future__ import annotations

from html import escape

from common.vocabulary import Label, SourceHealth
from reports.figures import (
    SENTIMENTS,
    DigestFigures,
    FailedSource,
    SentimentCounts,
)
from reports.i18n import (
    day_range,
    delta,
    duration,
    health_name,
    number,
    signed,
    source_name,
    t,
    touchpoint_name,
)
from reports.response import ResponseFigures
from reports.touchpoints import TouchpointFigures

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
MAX_SOURCES = 8
MAX_FAILED = 5
MAX_OPEN = 8
# Sentiment marks keep the counts line short and readable at a glance.
MARKS = {Label.POSITIVE: "👍", Label.NEUTRAL: "😐", Label.NEGATIVE: "👎"}


def header(figures: DigestFigures, lang: str) -> str:
    period = figures.period
    return (
        f"📊 <b>{escape(figures.brand_name)}</b> — {t(lang, 'title').lower()}, "
        f"{day_range(period.first_day, period.last_day, lang)}"
    )


def digest_html(figures: DigestFigures, lang: str) -> str:
    """The whole digest; sections thin out until it fits one Telegram message."""
    for max_open in (MAX_OPEN, 3, 0):
        text = "\n\n".join(part for part in _sections(figures, lang, max_open) if part)
        if len(text) <= MESSAGE_LIMIT:
            return text
    return text[: MESSAGE_LIMIT - 1].rsplit("\n", 1)[0]


def _sections(figures: DigestFigures, lang: str, max_open: int) -> list[str]:
    if figures.empty:
        note = t(lang, "new_brand") if figures.brand_is_new else t(lang, "empty")
        return [
            header(figures, lang),
            note,
            _responses(figures, lang) if figures.response.cases else "",
            _open_cases(figures, lang, max_open),
            _failed(figures, lang),
        ]
    return [
        header(figures, lang),
        _overview(figures, lang),
        _by_source(figures, lang),
        _responses(figures, lang),
        _touchpoints(figures.criticised, t(lang, "criticised"), lang),
        _touchpoints(figures.praised, t(lang, "praised"), lang),
        _open_cases(figures, lang, max_open),
        _failed(figures, lang),
    ]


def _overview(figures: DigestFigures, lang: str) -> str:
    now, before = figures.current, figures.previous
    lines = [
        f"{t(lang, 'mentions')}: <b>{now.total}</b> "
        f"({t(lang, 'was')} {before.total}, {delta(now.total - before.total, lang)})",
        sentiment_line(now, lang),
    ]
    if now.index is not None:
        trend = (
            f" ({t(lang, 'was')} {signed(before.index, lang)}, {_arrow(figures.index_change)})"
            if before.index is not None and figures.index_change is not None
            else ""
        )
        lines.append(f"{t(lang, 'index')}: <b>{signed(now.index, lang)}</b>{trend}")
    if figures.average_rating is not None:
        line = f"{t(lang, 'rating')}: <b>{number(figures.average_rating, lang)}</b> ★"
        if figures.previous_average_rating is not None:
            change = figures.average_rating - figures.previous_average_rating
            line += (
                f" ({t(lang, 'was')} {number(figures.previous_average_rating, lang)}, "
                f"{delta(change, lang, 1)})"
            )
        lines.append(line)
    if figures.backfill:
        lines.append(t(lang, "backfill", n=figures.backfill))
    return "\n".join(lines)


def sentiment_line(counts: SentimentCounts, lang: str) -> str:
    parts = [f"{MARKS[key]} {getattr(counts, key)}" for key in SENTIMENTS]
    if counts.unclassified:
        parts.append(t(lang, "unclassified", n=counts.unclassified))
    return " · ".join(parts)


def _by_source(figures: DigestFigures, lang: str) -> str:
    if not figures.sources:
        return ""
    lines = [f"<b>{t(lang, 'by_source')}</b>"]
    for source in figures.sources[:MAX_SOURCES]:
        line = (
            f"• {escape(source_name(source.kind, lang, source.qualifier))} — {source.mentions}"
            f" ({delta(source.mentions - source.previous_mentions, lang)})"
        )
        if source.average_rating is not None:
            line += f", ★ {number(source.average_rating, lang)}"
            if source.rating_change is not None:
                line += f" ({delta(source.rating_change, lang, 1)})"
        if source.site_total is not None:
            line += " · " + t(lang, "coverage", site=source.site_total, held=source.held)
        lines.append(line)
    return "\n".join(lines)


def response_lines(now: ResponseFigures, before: ResponseFigures, lang: str) -> list[str]:
    raised = [f"🎉 {t(lang, 'ratings_raised')}: <b>{now.ratings_raised}</b>"]
    if now.average_gain is not None:
        raised[0] += " " + t(lang, "average_gain", gain=number(now.average_gain, lang, 1))
    if not now.cases:
        return [t(lang, "no_cases"), *(raised if now.ratings_raised else [])]
    rate = f"{now.rate}%" if now.rate is not None else "—"
    if before.rate is not None and now.rate is not None:
        rate += f", {t(lang, 'was')} {before.rate}%"
    lines = [t(lang, "answered", done=now.responded, total=now.counted, rate=rate)]
    if now.median_minutes is not None:
        line = f"{t(lang, 'median')}: <b>{duration(now.median_minutes, lang)}</b>"
        if before.median_minutes is not None:
            line += f" ({t(lang, 'was')} {duration(before.median_minutes, lang)})"
        lines.append(line)
    if now.missed_deadlines:
        lines.append(f"⏰ {t(lang, 'missed')}: <b>{now.missed_deadlines}</b>")
    return lines + (raised if now.ratings_raised else [])


def _responses(figures: DigestFigures, lang: str) -> str:
    lines = response_lines(figures.response, figures.previous_response, lang)
    if figures.member_speeds:
        speeds = ", ".join(
            f"{escape(s.name)} — {duration(s.median_minutes, lang)} ({s.answered})"
            for s in figures.member_speeds
        )
        lines.append(f"{t(lang, 'by_member')}: {speeds}")
    return "\n".join([f"<b>{t(lang, 'responses')}</b>", *lines])


def _touchpoints(items: list[TouchpointFigures], title: str, lang: str) -> str:
    if not items:
        return ""
    lines = [f"<b>{title}</b>"]
    for item in items:
        line = f"• {escape(touchpoint_name(item.tag, lang))} — {item.count}"
        if item.previous_count:
            line += f" ({t(lang, 'was')} {item.previous_count})"
        if item.quote:
            quote = f"«{escape(item.quote)}»" if lang == "ru" else f"“{escape(item.quote)}”"
            if item.quote_url:
                quote = f'<a href="{escape(item.quote_url)}">{quote}</a>'
            line += f": <i>{quote}</i>"
        lines.append(line)
    return "\n".join(lines)


def _open_cases(figures: DigestFigures, lang: str, limit: int) -> str:
    cases = figures.open_cases
    if not cases:
        return ""
    lines = [f"<b>{open_cases_heading(figures, lang)}</b>"]
    for case in cases[:limit]:
        label = f"#{case.id}"
        if case.url:
            label = f'<a href="{escape(case.url)}">{label}</a>'
        mark = f" ⏰ {t(lang, 'overdue')}" if case.overdue else ""
        lines.append(f"• {label}{mark} — {escape(case.excerpt)}")
    shown = min(limit, len(cases))
    if figures.open_total > shown:
        lines.append(t(lang, "more", n=figures.open_total - shown))
    return "\n".join(lines)


def open_cases_heading(figures: DigestFigures, lang: str) -> str:
    count: str | int = figures.open_total
    if figures.open_overdue:
        count = t(lang, "open_count", n=figures.open_total, overdue=figures.open_overdue)
    return f"{t(lang, 'open_cases')} ({count})"


def _failed(figures: DigestFigures, lang: str) -> str:
    if not figures.failed_sources:
        return ""
    lines = [f"<b>⚠️ {t(lang, 'failed')}</b>"]
    for source in figures.failed_sources[:MAX_FAILED]:
        line = f"• {escape(source_name(source.kind, lang))}: {failure_details(source, lang)}"
        if source.last_error:
            line += f" — <code>{escape(source.last_error[:120])}</code>"
        lines.append(line)
    if len(figures.failed_sources) > MAX_FAILED:
        lines.append(t(lang, "more", n=len(figures.failed_sources) - MAX_FAILED))
    return "\n".join(lines)


def failure_details(source: FailedSource, lang: str) -> str:
    details = []
    if source.failures:
        details.append(t(lang, "failures", n=source.failures))
    if source.health != SourceHealth.OK:
        details.append(t(lang, "health_now", health=health_name(source.health, lang)))
    return ", ".join(details)


def _arrow(change: int | None) -> str:
    if not change:
        return "="
    return f"▲{change}" if change > 0 else f"▼{-change}"
