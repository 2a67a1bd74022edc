"""Words and number formats of reports in Russian and English."""

from __future__ import annotations

from datetime import date

from common.vocabulary import Label, SourceHealth

LANGUAGES = ("ru", "en")

_TEXTS: dict[str, dict[str, str]] = {
    "ru": {
        "title": "Дайджест репутации",
        "report": "Отчёт о репутации",
        "period_week": "неделя",
        "mentions": "Упоминаний",
        "was": "было",
        "index": "Индекс репутации",
        "rating": "Средняя оценка",
        "by_source": "По площадкам",
        "responses": "Ответы",
        "answered": "Ответили на {done} из {total} обращений ({rate})",
        "median": "Медиана до первого ответа",
        "by_member": "По команде (медиана, ответов)",
        "missed": "Просрочено",
        "ratings_raised": "Оценку подняли после ответа",
        "average_gain": "(в среднем +{gain}★)",
        "coverage": "сайт: {site}, у нас: {held}",
        "no_cases": "Новых обращений не было",
        "criticised": "Чаще ругают",
        "praised": "Чаще хвалят",
        "open_cases": "Открытые обращения",
        "more": "и ещё {n}",
        "overdue": "просрочено",
        "open_count": "{n}, из них просрочено: {overdue}",
        "failed": "Сбои источников",
        "failures": "ошибок: {n}",
        "health_now": "сейчас: {health}",
        "backfill": "Из них {n} — история, собранная при первом опросе.",
        "unclassified": "без оценки тональности: {n}",
        "empty": "За этот период упоминаний не было.",
        "new_brand": "Бренд подключён недавно: полная картина появится в следующем дайджесте.",
        Label.POSITIVE: "позитивные",
        Label.NEUTRAL: "нейтральные",
        Label.NEGATIVE: "негативные",
        "chart_title": "Упоминания по дням и средняя оценка",
        "chart_count": "Упоминаний",
        "unclassified_short": "без оценки",
        "chart_rating": "Средняя оценка",
        "no_data": "Нет данных за период",
        "minutes": "{n} мин",
        "hours": "{h} ч {m} мин",
        "days": "{d} д {h} ч",
        "hours_only": "{h} ч",
        "days_only": "{d} д",
        "source": "Площадка",
        "count": "Упоминаний",
        "prev": "Было",
        "avg": "Оценка",
        "change": "Изменение",
        "generated": "Сформирован",
    },
    "en": {
        "title": "Reputation digest",
        "report": "Reputation report",
        "period_week": "week",
        "mentions": "Mentions",
        "was": "was",
        "index": "Reputation index",
        "rating": "Average rating",
        "by_source": "By source",
        "responses": "Responses",
        "answered": "Answered {done} of {total} cases ({rate})",
        "median": "Median time to first response",
        "by_member": "By team member (median, answers)",
        "missed": "Deadlines missed",
        "ratings_raised": "Ratings raised after a reply",
        "average_gain": "(+{gain}★ on average)",
        "coverage": "site: {site}, held: {held}",
        "no_cases": "No new cases",
        "criticised": "Most criticised",
        "praised": "Most praised",
        "open_cases": "Open cases",
        "more": "and {n} more",
        "overdue": "overdue",
        "open_count": "{n}, {overdue} overdue",
        "failed": "Source failures",
        "failures": "errors: {n}",
        "health_now": "now: {health}",
        "backfill": "Including {n} from the history collected on the first poll.",
        "unclassified": "sentiment unknown: {n}",
        "empty": "No mentions in this period.",
        "new_brand": "The brand was added recently: the full picture comes with the next digest.",
        Label.POSITIVE: "positive",
        Label.NEUTRAL: "neutral",
        Label.NEGATIVE: "negative",
        "chart_title": "Mentions per day and average rating",
        "chart_count": "Mentions",
        "unclassified_short": "unclassified",
        "chart_rating": "Average rating",
        "no_data": "No data for the period",
        "minutes": "{n} min",
        "hours": "{h} h {m} min",
        "days": "{d} d {h} h",
        "hours_only": "{h} h",
        "days_only": "{d} d",
        "source": "Source",
        "count": "Mentions",
        "prev": "Before",
        "avg": "Rating",
        "change": "Change",
        "generated": "Generated",
    },
}

_SOURCE_NAMES: dict[str, tuple[str, str]] = {
    "yandex_maps": ("Яндекс Карты", "Yandex Maps"),
    "twogis": ("2ГИС", "2GIS"),
    "2gis": ("2ГИС", "2GIS"),
    "google_maps": ("Google Карты", "Google Maps"),
    "otzovik": ("Отзовик", "Otzovik"),
    "irecommend": ("iRecommend", "iRecommend"),
    "flamp": ("Flamp", "Flamp"),
    "zoon": ("Zoon", "Zoon"),
    "app_store": ("App Store", "App Store"),
    "appstore": ("App Store", "App Store"),
    "google_play": ("Google Play", "Google Play"),
    "telegram": ("Telegram-канал", "Telegram channel"),
    "rss": ("RSS", "RSS"),
}

_TOUCHPOINTS: dict[str, tuple[str, str]] = {
    "staff": ("персонал", "staff"),
    "waiting": ("ожидание", "waiting"),
    "delivery": ("доставка", "delivery"),
    "price": ("цены", "price"),
    "place": ("место", "place"),
    "cleanliness": ("чистота", "cleanliness"),
    "digital": ("сайт и приложение", "website and app"),
    "website": ("сайт", "website"),
    "phone": ("телефон и поддержка", "phone and support"),
    "support": ("поддержка", "support"),
    "product": ("качество", "product"),
    "food": ("еда", "food"),
}

_HEALTH: dict[str, tuple[str, str]] = {
    SourceHealth.OK: ("работает", "working"),
    SourceHealth.UNHEALTHY: ("не отвечает", "unhealthy"),
    SourceHealth.PARSER_BROKEN: ("сменилась вёрстка", "page layout changed"),
    SourceHealth.BLOCKED: ("блокирует нас", "blocking us"),
    SourceHealth.MISCONFIGURED: ("ошибка в настройках", "misconfigured"),
}

_MONTHS_RU = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
_MONTHS_EN = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def language(code: str | None) -> str:
    return code if code in LANGUAGES else "ru"


def t(lang: str, key: str, **values: object) -> str:
    return _TEXTS[language(lang)][key].format(**values)


def source_name(kind: str, lang: str, qualifier: str = "") -> str:
    name = _named(_SOURCE_NAMES.get(kind), lang, kind)
    return f"{name} ({qualifier})" if qualifier else name


def touchpoint_name(tag: str, lang: str) -> str:
    return _named(_TOUCHPOINTS.get(tag), lang, tag.replace("_", " "))


def health_name(health: str, lang: str) -> str:
    return _named(_HEALTH.get(health), lang, health)


def _named(names: tuple[str, str] | None, lang: str, unknown: str) -> str:
    """The (Russian, English) pair's name in `lang`; `unknown` when there is no pair."""
    if names is None:
        return unknown
    return names[LANGUAGES.index(language(lang))]


def number(value: float, lang: str, digits: int = 1) -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if language(lang) == "ru" else text


def signed(value: float, lang: str, digits: int = 0) -> str:
    """+3, −0,2: a real minus sign, and zero without a sign."""
    if round(value, digits) == 0:
        return number(0, lang, digits)
    body = number(abs(value), lang, digits)
    return f"+{body}" if value > 0 else f"−{body}"


def delta(value: float, lang: str, digits: int = 0) -> str:
    """A change: like signed(), but no change reads ±0."""
    return "±0" if round(value, digits) == 0 else signed(value, lang, digits)


def day_range(first: date, last: date, lang: str) -> str:
    if language(lang) == "ru":
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day}–{last.day} {_MONTHS_RU[last.month - 1]} {last.year}"
        head = f"{first.day} {_MONTHS_RU[first.month - 1]}"
        if first.year != last.year:
            head += f" {first.year}"
        return f"{head} – {last.day} {_MONTHS_RU[last.month - 1]} {last.year}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{_MONTHS_EN[first.month - 1]} {first.day}–{last.day}, {last.year}"
    head = f"{_MONTHS_EN[first.month - 1]} {first.day}"
    if first.year != last.year:
        head += f", {first.year}"
    return f"{head} – {_MONTHS_EN[last.month - 1]} {last.day}, {last.year}"


def short_day(day: date, lang: str) -> str:
    weekdays = (
        ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
        if language(lang) == "ru"
        else ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    )
    return f"{weekdays[day.weekday()]}\n{day.day:02d}.{day.month:02d}"


def duration(minutes: float, lang: str) -> str:
    whole = round(minutes)
    if whole < 60:
        return t(lang, "minutes", n=whole)
    if whole < 24 * 60:
        hours, rest = divmod(whole, 60)
        return t(lang, "hours", h=hours, m=rest) if rest else t(lang, "hours_only", h=hours)
    days, rest = divmod(whole, 24 * 60)
    return t(lang, "days", d=days, h=rest // 60) if rest // 60 else t(lang, "days_only", d=days)
