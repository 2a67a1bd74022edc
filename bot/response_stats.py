"""How response figures read: durations in hours and minutes."""

from __future__ import annotations


def format_duration(seconds: float | None, lang: str) -> str:
    if seconds is None:
        return "—"
    minutes = int(round(seconds / 60))
    hours, minutes = divmod(minutes, 60)
    h, m = ("ч", "мин") if lang == "ru" else ("h", "min")
    return f"{hours} {h} {minutes} {m}" if hours else f"{minutes} {m}"
