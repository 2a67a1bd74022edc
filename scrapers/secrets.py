"""Source secrets (API keys, tokens): used in requests, never shown.

Options whose name is in `SECRET_OPTIONS` are secrets: the core stores them apart from the URL
and the other options, and `redact` is the one function every text leaving the fetch layer
passes through (error messages and URLs of `SourceError`s, fetch logs): the secret values a
source holds, and the value of any secret-named query parameter, become `***`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, quote, urlsplit

from scrapers.errors import SourceError

SECRET_OPTIONS = frozenset(
    {"key", "api_key", "apikey", "access_token", "token", "secret", "client_secret", "password"}
)
MASK = "***"
_NAMES = "|".join(sorted(SECRET_OPTIONS | {"sig", "signature"}, key=len, reverse=True))
_IN_QUERY = re.compile(rf"((?:[?&;]|%3F|%26)(?:{_NAMES})=)[^&#\s\"'<>]*", re.IGNORECASE)
# Shorter values are too likely to be ordinary words to be hunted down in free text.
_MIN_LITERAL = 4


def is_secret(option: str) -> bool:
    return option.lower() in SECRET_OPTIONS


def split_options(options: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(plain options, secret options)."""
    plain = {k: v for k, v in options.items() if not is_secret(k)}
    return plain, {k: v for k, v in options.items() if is_secret(k)}


def secret_values(options: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(v for k, v in options.items() if is_secret(k) and v)


def secret_in_url(url: str) -> str | None:
    """The name of a secret query parameter the URL carries, if any."""
    for name, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if is_secret(name):
            return name
    return None


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    out = _IN_QUERY.sub(rf"\g<1>{MASK}", text)
    for value in sorted({s for s in secrets if len(s) >= _MIN_LITERAL}, key=len, reverse=True):
        for spelling in {value, quote(value, safe=""), quote(value, safe="/:")}:
            out = out.replace(spelling, MASK)
    return out


def redact_error(error: SourceError, secrets: Iterable[str] = ()) -> SourceError:
    """The same error, its message and URL without secrets (changed in place)."""
    values = tuple(secrets)
    error.args = tuple(redact(str(arg), values) for arg in error.args) or error.args
    error.url = redact(error.url, values)
    return error
