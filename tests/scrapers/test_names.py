"""Names compare as people read them: invisible characters and compatibility forms aside."""

from __future__ import annotations

from scrapers.matching import AliasMatcher
from scrapers.sanitise import name_key


def test_invisible_characters_do_not_split_a_brand_name() -> None:
    matcher = AliasMatcher(["Кофемания"])
    for text in (
        "Были в Кофе\u00adмании вчера",  # soft hyphen
        "Были в Кофе\u200bмании вчера",  # zero-width space
        "Были в \ufeffКофемании вчера",  # BOM
        "Были в Кофе\u2060мании вчера",  # word joiner
    ):
        assert matcher.find(text) == "Кофемания", text
    assert matcher.find("Кофе мании") is None


def test_name_key_folds_case_spacing_and_invisibles() -> None:
    assert name_key("  Кофе\u00adмания ") == name_key("кофемания") == name_key("КОФЕ\u200bМАНИЯ")
    assert name_key("Ёлка  Café") == name_key("елка cafe\u0301".replace("e\u0301", "é"))
    assert name_key("Кофемания") != name_key("Кофемании")
