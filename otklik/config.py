"""Brands and their sources from a TOML file, validated once at start.

A wrong file is refused with the file name, the line, the key and what is wrong, so the owner
can fix it without reading code.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from common.errors import ConfigError
from common.vocabulary import AlertOn
from replies import LANGUAGES, TemplateError
from replies import validate as validate_template
from scrapers.records import SourceSpec
from scrapers.secrets import secret_in_url

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, None: 1}
_TABLE_ARRAYS = {"brands", "sources", "branches", "competitors"}
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def parse_duration(value: Any) -> int:
    """'10m', '1h', '90s', '1d' or a number of seconds → seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration like '10m' or '1h'")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"{value!r} is not a duration like '30s', '10m', '1h' or '1d'")
        unit = match.group(2).lower() if match.group(2) else None
        seconds = float(match.group(1)) * _UNIT_SECONDS[unit]
    if seconds < 1:
        raise ValueError("must be at least 1 second ('1s')")
    return int(seconds)


def _within(low: int, high: int, low_text: str, high_text: str) -> Callable[[int], int]:
    def check(seconds: int) -> int:
        if seconds < low:
            raise ValueError(f"must be at least {low_text}")
        if seconds > high:
            raise ValueError(f"must be at most {high_text}")
        return seconds

    return check


# Telegram ids: users are positive, groups negative (-100… for supergroups), all well within
# ±10^15; anything else is a typo that would only fail later, in the database.
_CHAT_ID_LIMIT = 10**15


def _chat_id(value: int) -> int:
    if value == 0 or not -_CHAT_ID_LIMIT < value < _CHAT_ID_LIMIT:
        raise ValueError(f"{value} is not a Telegram chat id")
    return value


Duration = Annotated[int, BeforeValidator(parse_duration)]
Interval = Annotated[Duration, AfterValidator(_within(1, 7 * 86400, "1 second", "7 days"))]
ResponseTime = Annotated[
    Duration, AfterValidator(_within(60, 30 * 86400, "1 minute ('1m')", "30 days ('30d')"))
]
ChatId = Annotated[int, AfterValidator(_chat_id)]


class SourceConfig(BaseModel):
    """One page or feed of a brand. Keys other than these go to the source as options."""

    model_config = ConfigDict(extra="allow", frozen=True)

    url: str
    kind: str | None = None
    interval: Interval = 600
    enabled: bool = True

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+\S*$", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        if "@" in urlsplit(value).netloc:
            raise ValueError("a URL with a user name or password is not allowed")
        secret = secret_in_url(value)
        if secret:
            raise ValueError(
                f"the URL carries {secret}=…; give it as the source's option "
                f'{secret} = "…" instead, so it is kept secret'
            )
        return value

    @property
    def options(self) -> dict[str, str]:
        return {key: str(value) for key, value in (self.model_extra or {}).items()}


def check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}, use e.g. 'Europe/Moscow'") from exc
    return value


class BranchConfig(BaseModel):
    """A location of the brand. `managers`: chat ids that get this branch's alerts only
    (a user id among them also gets the pr role for this branch)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    city: str | None = None
    address: str | None = None
    timezone: str | None = None
    managers: list[int] = Field(default_factory=list)
    sources: list[SourceConfig] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else check_zone(value)


class CompetitorConfig(BaseModel):
    """A brand watched for comparison only: polled like any other, never cased or alerted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    aliases: list[str] = Field(default_factory=list)
    sources: list[SourceConfig] = Field(default_factory=list)

    @property
    def all_aliases(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([self.name, *(a.strip() for a in self.aliases if a.strip())]))


class RepliesConfig(BaseModel):
    """`[brands.replies]`: the brand's voice for drafts and its template overrides."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    signature: str | None = Field(default=None, max_length=300)
    tone: str = ""  # tone-of-voice notes for the language model
    rules: list[str] = Field(default_factory=list)  # house rules for the language model
    allow_offers: bool = False  # drafts may mention discounts, refunds, compensation
    # language → template key → variants (a string or a list; dotted keys or nested tables)
    templates: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("templates")
    @classmethod
    def _templates(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        checked: dict[str, dict[str, Any]] = {}
        for language, table in value.items():
            if language not in LANGUAGES:
                raise ValueError(f"templates for {language!r}: known languages are {LANGUAGES}")
            checked[language] = {}
            for key, texts in _flat(table):
                texts = [texts] if isinstance(texts, str) else texts
                if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                    raise ValueError(f"{language}.{key}: give a text or a list of texts")
                try:
                    checked[language][key] = list(validate_template(language, key, tuple(texts)))
                except TemplateError as exc:
                    raise ValueError(f"{language}: {exc}") from exc
        return checked

    def overrides(self) -> dict[tuple[str, str], tuple[str, ...]]:
        return {
            (language, key): tuple(texts)
            for language, table in self.templates.items()
            for key, texts in table.items()
        }


def _flat(table: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for name, value in table.items():
        if isinstance(value, dict):
            out.extend(_flat(value, f"{prefix}{name}."))
        else:
            out.append((f"{prefix}{name}", value))
    return out


class BrandConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    aliases: list[str] = Field(default_factory=list)
    owners: list[ChatId] = Field(default_factory=list)
    alert_on: AlertOn = AlertOn.NEGATIVE
    timezone: str = "Europe/Moscow"
    response_time: ResponseTime = 3600
    work_hours: str = "09:00-21:00"
    work_days: str = "1234567"
    touchpoints: dict[str, list[str]] = Field(default_factory=dict)
    sources: list[SourceConfig] = Field(default_factory=list)
    branches: list[BranchConfig] = Field(default_factory=list)
    competitors: list[CompetitorConfig] = Field(default_factory=list)
    # A PR member's reply waits for an owner's Approve before it is published.
    reply_approval: bool = False
    # Positive reviews get a thank-you after the delay, inside work hours.
    thanks_for_praise: bool = False
    thanks_delay: Duration = 1800
    replies: RepliesConfig = Field(default_factory=RepliesConfig)

    @field_validator("aliases")
    @classmethod
    def _aliases(cls, value: list[str]) -> list[str]:
        cleaned = [alias.strip() for alias in value if alias.strip()]
        return list(dict.fromkeys(cleaned))

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_zone(value)

    @field_validator("branches")
    @classmethod
    def _unique_branches(cls, value: list[BranchConfig]) -> list[BranchConfig]:
        _refuse_twice("branch", [branch.name for branch in value])
        return value

    @field_validator("work_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        parts = [part.strip() for part in value.split("-")]
        if len(parts) != 2 or not all(_HHMM.match(part) for part in parts):
            raise ValueError(f"{value!r} is not like '09:00-21:00'")
        return f"{parts[0]}-{parts[1]}"

    @field_validator("work_days")
    @classmethod
    def _days(cls, value: str) -> str:
        if not value or any(day not in "1234567" for day in value):
            raise ValueError("list ISO weekdays as digits, e.g. '12345' for Monday to Friday")
        return value

    @property
    def all_aliases(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([self.name, *self.aliases]))

    @property
    def work_start(self) -> str:
        return self.work_hours.split("-")[0]

    @property
    def work_end(self) -> str:
        return self.work_hours.split("-")[1]


class AppConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    brands: list[BrandConfig] = Field(default_factory=list)

    @field_validator("brands")
    @classmethod
    def _unique_names(cls, value: list[BrandConfig]) -> list[BrandConfig]:
        # Competitors are brands in the database too: one name space for all.
        _refuse_twice(
            "brand", [name for b in value for name in [b.name, *(c.name for c in b.competitors)]]
        )
        return value


def _refuse_twice(what: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            raise ValueError(f"{what} {name!r} is listed twice")
        seen.add(name.casefold())


def source_locations(brand: BrandConfig, b: int) -> list[tuple[tuple[Any, ...], SourceConfig]]:
    """Every source of a brand with its key path: the brand's, its branches' and competitors'."""
    found: list[tuple[tuple[Any, ...], SourceConfig]] = [
        (("brands", b, "sources", s), source) for s, source in enumerate(brand.sources)
    ]
    groups: list[tuple[str, Sequence[BranchConfig | CompetitorConfig]]] = [
        ("branches", brand.branches),
        ("competitors", brand.competitors),
    ]
    for group, owners in groups:
        for o, owner in enumerate(owners):
            found += [
                (("brands", b, group, o, "sources", s), source)
                for s, source in enumerate(owner.sources)
            ]
    return found


def load_config(
    path: Path,
    *,
    detect_kind: Callable[[str], str | None] | None = None,
    known_kinds: Sequence[str] | None = None,
    check_source: Callable[[SourceSpec], None] | None = None,
) -> AppConfig:
    """Read and validate the brands file. `detect_kind` fills in a source's missing `kind`;
    a kind outside `known_kinds` is refused; `check_source` raises ConfigError for a source
    whose URL or options cannot work."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such file; `otklik init` writes an example") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        config = AppConfig.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        line = _line_of(text, loc)
        where = f"{path}, line {line}" if line else str(path)
        more = f" (and {len(exc.errors()) - 1} more problems)" if len(exc.errors()) > 1 else ""
        raise ConfigError(f"{where}: {_dotted(loc)}: {error['msg']}{more}") from exc
    if detect_kind is not None:
        config = _with_kinds(path, text, config, detect_kind)
    if known_kinds is not None:
        _check_kinds(path, text, config, known_kinds)
    if check_source is not None:
        _check_sources(path, text, config, check_source)
    return config


def _check_sources(
    path: Path, text: str, config: AppConfig, check_source: Callable[[SourceSpec], None]
) -> None:
    for b, brand in enumerate(config.brands):
        for loc, source in source_locations(brand, b):
            spec = SourceSpec(source.kind or "", source.url, brand.all_aliases, source.options)
            try:
                check_source(spec)
            except ConfigError as exc:
                raise ConfigError(
                    f"{path}, line {_line_of(text, loc)}: {_dotted(loc)}: {exc}"
                ) from exc


def _check_kinds(path: Path, text: str, config: AppConfig, known_kinds: Sequence[str]) -> None:
    for b, brand in enumerate(config.brands):
        for at, source in source_locations(brand, b):
            if source.kind is not None and source.kind not in known_kinds:
                loc = (*at, "kind")
                raise ConfigError(
                    f"{path}, line {_line_of(text, loc)}: {_dotted(loc)}: unknown source kind "
                    f"{source.kind!r}; known kinds: {', '.join(sorted(known_kinds))}"
                )


def _with_kinds(
    path: Path, text: str, config: AppConfig, detect_kind: Callable[[str], str | None]
) -> AppConfig:
    def kinded(sources: list[SourceConfig], at: tuple[Any, ...]) -> list[SourceConfig]:
        out = []
        for s, source in enumerate(sources):
            if source.kind is None:
                kind = detect_kind(source.url)
                if kind is None:
                    loc = (*at, "sources", s, "url")
                    raise ConfigError(
                        f"{path}, line {_line_of(text, loc)}: {_dotted(loc)}: cannot tell the "
                        f'source kind from {source.url!r}; add kind = "..."'
                    )
                source = source.model_copy(update={"kind": kind})
            out.append(source)
        return out

    brands = []
    for b, brand in enumerate(config.brands):
        at = ("brands", b)
        update: dict[str, Any] = {"sources": kinded(brand.sources, at)}
        for group in ("branches", "competitors"):
            update[group] = [
                owner.model_copy(update={"sources": kinded(owner.sources, (*at, group, o))})
                for o, owner in enumerate(getattr(brand, group))
            ]
        brands.append(brand.model_copy(update=update))
    return config.model_copy(update={"brands": brands})


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line number of a key path like ('brands', 1, 'sources', 0, 'interval'):
    the key's own line, else the line of the [[table]] it belongs in."""
    target: list[tuple[str, int]] = []
    parts = list(loc)
    while len(parts) >= 2 and parts[0] in _TABLE_ARRAYS and isinstance(parts[1], int):
        name = f"{target[-1][0]}.{parts[0]}" if target else str(parts[0])
        target.append((name, parts[1]))
        parts = parts[2:]
    key = parts[0] if parts and isinstance(parts[0], str) else None
    position: list[tuple[str, int]] = []
    counts: dict[str, int] = {}
    in_array_table = True
    table_line = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        array = re.match(r"^\[\[\s*([\w.]+)\s*\]\]", stripped)
        if array:
            name = array.group(1)
            for deeper in [t for t in counts if t.startswith(name + ".")]:
                del counts[deeper]
            counts[name] = counts.get(name, -1) + 1
            position = [p for p in position if name.startswith(p[0] + ".")] + [(name, counts[name])]
            in_array_table = True
            if position == target:
                table_line = number
                if key is None:
                    return number
        elif stripped.startswith("["):
            in_array_table = False  # a plain [table] such as [brands.touchpoints]
        elif (
            key
            and in_array_table
            and position == target
            and re.match(rf"^{re.escape(key)}\s*=", stripped)
        ):
            return number
    return table_line
