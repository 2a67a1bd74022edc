"""Which language a text is in: Russian or English is all the templates speak."""

from __future__ import annotations

import re

LANGUAGES = ("ru", "en")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)


def detect_language(text: str, default: str = "ru") -> str:
    """ "ru" when Cyrillic letters outnumber Latin ones, "en" when Latin do; `default` for a
    text with no letters of either."""
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    if cyrillic == latin == 0:
        return default
    return "ru" if cyrillic >= latin else "en"
