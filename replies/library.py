"""The shipped template files and the owner's overrides: keys, variants, placeholder checks."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from replies.errors import TemplateError
from replies.language import LANGUAGES

_DATA = Path(__file__).with_name("templates")
_PLACEHOLDER = re.compile(r"\{(\w*)\}")
# Which placeholders a key may use; every key may name the brand.
_ALLOWED: dict[str, frozenset[str]] = {
    "greeting.named": frozenset({"name", "brand"}),
    "ack_all.negative": frozenset({"topics", "brand"}),
    "ack_all.positive": frozenset({"topics", "brand"}),
}
_DEFAULT_ALLOWED = frozenset({"brand"})

Variants = tuple[str, ...]


@cache
def shipped(language: str) -> Mapping[str, Variants]:
    """The templates shipped for `language`, as dotted key → variants."""
    if language not in LANGUAGES:
        raise TemplateError(
            f"no templates for language {language!r}; known: {', '.join(LANGUAGES)}"
        )
    with (_DATA / f"{language}.toml").open("rb") as file:
        return dict(_flatten(tomllib.load(file)))


def keys(language: str = "ru") -> list[str]:
    return list(shipped(language))


def _flatten(table: dict[str, Any], prefix: str = "") -> list[tuple[str, Variants]]:
    out: list[tuple[str, Variants]] = []
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            out.extend(_flatten(value, key + "."))
        else:
            out.append((key, tuple(str(item) for item in value)))
    return out


def validate(language: str, key: str, variants: Variants) -> Variants:
    """The variants cleaned, or TemplateError saying what is wrong in words for the owner."""
    if key not in shipped(language):
        raise TemplateError(f"unknown template key {key!r}")
    cleaned = tuple(" ".join(v.split()) for v in variants if v.strip())
    if not cleaned:
        raise TemplateError(f"{key}: give at least one text")
    allowed = _ALLOWED.get(key, _DEFAULT_ALLOWED)
    for variant in cleaned:
        for name in _PLACEHOLDER.findall(variant):
            if name not in allowed:
                shown = ", ".join("{" + a + "}" for a in sorted(allowed))
                raise TemplateError(f"{key}: unknown placeholder {{{name}}}; allowed: {shown}")
    return cleaned


def variants(language: str, key: str, overrides: Mapping[tuple[str, str], Variants]) -> Variants:
    """The owner's variants for the key if set, else the shipped ones."""
    return overrides.get((language, key)) or shipped(language)[key]
