"""Insight as Telegram HTML: the index explained, the branch ranking with a branch × touchpoint
table, and the comparison with competitors. Every user text escaped."""

from __future__ import annotations

from html import escape

from reports.i18n import day_range, delta, language, number, signed, touchpoint_name
from reports.index import IndexFigures
from reports.insight import InsightFigures, ScopeIndex
from reports.telegram import MESSAGE_LIMIT
from reports.touchpoints import short_quote

NAME_WIDTH = 10
CELL_WIDTH = 6
QUOTE_CHARS = 70

_TEXTS: dict[str, dict[str, str]] = {
    "ru": {
        "title": "Индекс репутации",
        "index_line": "Индекс: <b>{index}</b> (95% интервал {low}…{high}, {n} упом.)",
        "no_index": "Индекс: нет оценённых упоминаний",
        "rating": "Средняя оценка: {rating} ★",
        "change": "к прошлому периоду {change}",
        "movers": "Сильнее всего повлияли",
        "branches": "Филиалы",
        "best": "🏆 Лучший",
        "worst": "⚠️ Худший",
        "biggest": "📈 Сильнее всего изменился",
        "table": "Филиал × тема (индекс; · — не упоминали)",
        "compare": "Сравнение с конкурентами",
        "compare_line": "{mark} <b>{name}</b>: индекс {index} (±{half}), ★ {rating}, упоминаний {volume}",
        "themes": "темы",
        "how": "Индекс = (доля позитивных − доля негативных) × 100. Чем меньше отзывов, тем шире интервал.",
    },
    "en": {
        "title": "Reputation index",
        "index_line": "Index: <b>{index}</b> (95% interval {low}…{high}, {n} mentions)",
        "no_index": "Index: no rated mentions",
        "rating": "Average rating: {rating} ★",
        "change": "vs the period before {change}",
        "movers": "Moved it most",
        "branches": "Branches",
        "best": "🏆 Best",
        "worst": "⚠️ Worst",
        "biggest": "📈 Biggest change",
        "table": "Branch × touchpoint (index; · — not mentioned)",
        "compare": "Against competitors",
        "compare_line": "{mark} <b>{name}</b>: index {index} (±{half}), ★ {rating}, mentions {volume}",
        "themes": "touchpoints",
        "how": "Index = (share positive − share negative) × 100. Fewer reviews, wider interval.",
    },
}
_POLARITY_MARK = {"positive": "👍", "negative": "👎", "neutral": "😐", "mixed": "🤔"}


def tr(lang: str, key: str, **values: object) -> str:
    text = _TEXTS[language(lang)][key]
    return text.format(**values) if values else text


def index_text(figures: IndexFigures, lang: str) -> str:
    return "—" if figures.index is None else signed(figures.index, lang)


def insight_html(figures: InsightFigures, lang: str) -> str:
    """The insight message; the table and movers thin out until it fits one message."""
    for table, movers in ((True, True), (True, False), (False, False)):
        parts = [
            f"🧭 <b>{escape(figures.brand_name)}</b> — {tr(lang, 'title').lower()}, "
            f"{day_range(figures.period.first_day, figures.period.last_day, lang)}",
            _scope(figures.brand, lang, movers=movers),
            _branches(figures, lang, table=table),
            _compare(figures, lang),
            f"<i>{tr(lang, 'how')}</i>",
        ]
        text = "\n\n".join(part for part in parts if part)
        if len(text) <= MESSAGE_LIMIT:
            return text
    return text[: MESSAGE_LIMIT - 1].rsplit("\n", 1)[0]


def _scope(scope: ScopeIndex, lang: str, *, movers: bool) -> str:
    now = scope.current
    if now.index is None:
        return tr(lang, "no_index")
    line = tr(
        lang,
        "index_line",
        index=index_text(now, lang),
        low=signed(now.interval.low, lang),
        high=signed(now.interval.high, lang),
        n=now.mentions,
    )
    if scope.change is not None:
        line += f", {tr(lang, 'change', change=delta(scope.change, lang))}"
    lines = [line]
    if now.rating is not None:
        lines.append(tr(lang, "rating", rating=number(now.rating, lang)))
    if movers and now.movers:
        lines.append(tr(lang, "movers") + ":")
        for mover in now.movers:
            quote = escape(
                short_quote(mover.mention.text or mover.mention.title or "—", QUOTE_CHARS)
            )
            mark = _POLARITY_MARK.get(mover.polarity, "•")
            lines.append(f"{mark} {signed(mover.influence, lang, 1)} «{quote}»")
    return "\n".join(lines)


def _branches(figures: InsightFigures, lang: str, *, table: bool) -> str:
    if not figures.has_branches:
        return ""
    lines = [f"<b>{tr(lang, 'branches')}</b>"]
    ranking = figures.ranking
    if ranking is not None:
        lines.append(f"{tr(lang, 'best')}: {_branch_line(ranking.best, lang)}")
        lines.append(f"{tr(lang, 'worst')}: {_branch_line(ranking.worst, lang)}")
        if ranking.biggest_change is not None:
            lines.append(f"{tr(lang, 'biggest')}: {_branch_line(ranking.biggest_change, lang)}")
    if table and figures.table_touchpoints:
        lines += ["", tr(lang, "table") + ":", f"<pre>{escape(branch_table(figures, lang))}</pre>"]
    return "\n".join(lines)


def _branch_line(branch: ScopeIndex, lang: str) -> str:
    now = branch.current
    text = (
        f"{escape(branch.name)} {index_text(now, lang)} "
        f"(±{number(now.interval.half_width, lang, 0)}, {now.mentions})"
    )
    if branch.change is not None:
        text += f", {delta(branch.change, lang)}"
    return text


def branch_table(figures: InsightFigures, lang: str) -> str:
    """Fixed-width rows a phone shows without wrapping: branch, then one cell per touchpoint."""
    head = "".ljust(NAME_WIDTH) + "".join(
        _fit(touchpoint_name(tag, lang), CELL_WIDTH - 1).rjust(CELL_WIDTH)
        for tag in figures.table_touchpoints
    )
    rows = [head]
    for branch in figures.branches:
        cells = []
        for tag in figures.table_touchpoints:
            cell = figures.table[(branch.name, tag)]
            cells.append(
                ("·" if cell.index is None else signed(cell.index, lang)).rjust(CELL_WIDTH)
            )
        rows.append(_fit(branch.name, NAME_WIDTH - 1).ljust(NAME_WIDTH) + "".join(cells))
    return "\n".join(rows)


def _compare(figures: InsightFigures, lang: str) -> str:
    if not figures.has_competitors:
        return ""
    lines = [f"<b>{tr(lang, 'compare')}</b>"]
    for contender in figures.contenders:
        index = contender.index
        lines.append(
            tr(
                lang,
                "compare_line",
                mark="★" if contender.own else "•",
                name=escape(contender.name),
                index=index_text(index, lang),
                half=number(index.interval.half_width, lang, 0),
                rating="—" if index.rating is None else number(index.rating, lang),
                volume=contender.volume,
            )
        )
        if contender.touchpoints:
            themes = ", ".join(
                f"{touchpoint_name(tag, lang)} {index_text(tp, lang)}"
                for tag, tp in contender.touchpoints
            )
            lines.append(f"   {tr(lang, 'themes')}: {themes}")
    return "\n".join(lines)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
