"""The report as a Markdown or a standalone HTML document (for `otklik report`)."""

from __future__ import annotations

from html import escape

from reports.figures import DigestFigures
from reports.i18n import day_range, delta, number, signed, source_name, t, touchpoint_name
from reports.telegram import (
    failure_details,
    open_cases_heading,
    response_lines,
    sentiment_line,
)

FORMATS = ("md", "html")


def markdown_report(figures: DigestFigures, lang: str, chart_file: str | None) -> str:
    return _render(figures, lang, chart_file, _Markdown())


def html_report(figures: DigestFigures, lang: str, chart_file: str | None) -> str:
    body = _render(figures, lang, chart_file, _Html())
    return (
        f'<!doctype html>\n<html lang="{lang}">\n<head><meta charset="utf-8">'
        f"<title>{escape(figures.brand_name)}</title>"
        "<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;line-height:1.45}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}"
        "img{max-width:100%}</style></head>\n<body>\n"
        f"{body}</body>\n</html>\n"
    )


class _Markdown:
    def heading(self, text: str, level: int) -> str:
        return f"{'#' * level} {_md(text)}\n\n"

    def para(self, html_text: str) -> str:
        return f"{_strip_tags(html_text)}\n\n"

    def items(self, lines: list[str]) -> str:
        return "".join(f"- {line}\n" for line in lines) + "\n"

    def link(self, text: str, url: str | None) -> str:
        return f"[{_md(text)}](<{_md_url(url)}>)" if url else _md(text)

    def text(self, value: str) -> str:
        return _md(value)

    def image(self, path: str, alt: str) -> str:
        return f"![{_md(alt)}]({path})\n\n"

    def table(self, head: list[str], rows: list[list[str]]) -> str:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines) + "\n\n"


class _Html:
    def heading(self, text: str, level: int) -> str:
        return f"<h{level}>{escape(text)}</h{level}>\n"

    def para(self, html_text: str) -> str:
        return f"<p>{html_text.replace(chr(10), '<br>')}</p>\n"

    def items(self, lines: list[str]) -> str:
        return "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>\n"

    def link(self, text: str, url: str | None) -> str:
        return f'<a href="{escape(url)}">{escape(text)}</a>' if url else escape(text)

    def text(self, value: str) -> str:
        return escape(value)

    def image(self, path: str, alt: str) -> str:
        return f'<p><img src="{escape(path)}" alt="{escape(alt)}" width="1200"></p>\n'

    def table(self, head: list[str], rows: list[list[str]]) -> str:
        cells = "".join(f"<th>{cell}</th>" for cell in head)
        body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
        return f"<table><tr>{cells}</tr>{body}</table>\n"


def _render(
    figures: DigestFigures, lang: str, chart_file: str | None, out: _Markdown | _Html
) -> str:
    period = day_range(figures.period.first_day, figures.period.last_day, lang)
    parts = [out.heading(f"{figures.brand_name} — {t(lang, 'report')}, {period}", 1)]
    if chart_file:
        parts.append(out.image(chart_file, t(lang, "chart_title")))
    now, before = figures.current, figures.previous
    if figures.empty:
        parts.append(out.para(t(lang, "new_brand") if figures.brand_is_new else t(lang, "empty")))
    else:
        overview = [
            f"{t(lang, 'mentions')}: {now.total} ({t(lang, 'was')} {before.total})",
            sentiment_line(now, lang),
        ]
        if now.index is not None:
            was = (
                f" ({t(lang, 'was')} {signed(before.index, lang)})"
                if before.index is not None
                else ""
            )
            overview.append(f"{t(lang, 'index')}: {signed(now.index, lang)}{was}")
        if figures.average_rating is not None:
            overview.append(f"{t(lang, 'rating')}: {number(figures.average_rating, lang)} ★")
        if figures.backfill:
            overview.append(t(lang, "backfill", n=figures.backfill))
        parts.append(out.para("\n".join(overview)))
    if figures.sources:
        parts.append(out.heading(t(lang, "by_source"), 2))
        head = [t(lang, key) for key in ("source", "count", "prev", "avg", "change")]
        rows = [
            [
                out.link(source_name(s.kind, lang, s.qualifier), s.url),
                str(s.mentions),
                str(s.previous_mentions),
                number(s.average_rating, lang) if s.average_rating is not None else "—",
                delta(s.rating_change, lang, 1) if s.rating_change is not None else "—",
            ]
            for s in figures.sources
        ]
        parts.append(out.table(head, rows))
    parts.append(out.heading(t(lang, "responses"), 2))
    parts.append(
        out.para("\n".join(response_lines(figures.response, figures.previous_response, lang)))
    )
    for title, items in (
        (t(lang, "criticised"), figures.criticised),
        (t(lang, "praised"), figures.praised),
    ):
        if items:
            parts.append(out.heading(title, 2))
            parts.append(out.items([
                f"{out.text(touchpoint_name(i.tag, lang))} — {i.count}: "
                f"{out.link('«' + i.quote + '»', i.quote_url)}"
                for i in items
            ]))  # fmt: skip
    if figures.open_cases:
        parts.append(out.heading(open_cases_heading(figures, lang), 2))
        unlisted = figures.open_total - len(figures.open_cases)
        parts.append(out.items([
            f"{out.link('#' + str(c.id), c.url)}{' ⏰ ' + t(lang, 'overdue') if c.overdue else ''}"
            f" — {out.text(c.excerpt)}"
            for c in figures.open_cases
        ] + ([out.text(t(lang, "more", n=unlisted))] if unlisted else [])))  # fmt: skip
    if figures.failed_sources:
        parts.append(out.heading(t(lang, "failed"), 2))
        parts.append(out.items([
            f"{out.link(source_name(s.kind, lang), s.url)}: {failure_details(s, lang)}"
            + (f" — {out.text(s.last_error[:200])}" if s.last_error else "")
            for s in figures.failed_sources
        ]))  # fmt: skip
    stamp = figures.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    parts.append(out.para(f"{t(lang, 'generated')}: {stamp}"))
    return "".join(parts)


_MD_SPECIAL = str.maketrans({char: "\\" + char for char in "\\`*_[]<>|#"})


def _md(text: str) -> str:
    """Markdown-escape user text so a review cannot inject links, tables or HTML."""
    return " ".join(text.split()).translate(_MD_SPECIAL)


def _md_url(url: str) -> str:
    # Inside <...> only these break the link; percent-encoding keeps the URL the same.
    return url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")


def _strip_tags(html_text: str) -> str:
    # Only our own <b>/<i> tags reach paragraphs: user text in them is escaped by the caller.
    return (
        html_text.replace("<b>", "**")
        .replace("</b>", "**")
        .replace("<i>", "_")
        .replace("</i>", "_")
    )
