"""Branches and their source URLs from a CSV file, checked row by row.

One row per source (or per branch without sources). Columns: `brand` (unless the command names
one), `branch`, and optionally `city`, `address`, `timezone`, `url`, `kind`, `interval`.
A bad row is reported by its line and left out; the good rows still count, so a file with one
typo does not block a chain's other two hundred locations.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError

from common.errors import ConfigError
from otklik.config import SourceConfig, check_zone
from scrapers.records import SourceSpec
from storage.records import BranchInput, SourceInput

COLUMNS = ("brand", "branch", "city", "address", "timezone", "url", "kind", "interval")


@dataclass(slots=True)
class BranchImport:
    """The branches the good rows describe, per brand name, and one message per bad row."""

    branches: dict[str, list[BranchInput]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    rows: int = 0


@dataclass(slots=True)
class _Branch:
    line: int
    city: str | None
    address: str | None
    timezone: str | None
    sources: list[SourceInput] = field(default_factory=list)


def parse_branches_csv(
    text: str,
    *,
    brands: Sequence[str],
    detect_kind: Callable[[str], str | None],
    known_kinds: Sequence[str],
    check_source: Callable[[SourceSpec], None],
    brand: str | None = None,
) -> BranchImport:
    """Check every row; `brands` are the names the database knows, `brand` fills a missing
    brand column, `check_source` refuses a URL the source cannot work with."""
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            sample.splitlines()[0] if sample else ",", delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [name.strip().lower() for name in next(reader, [])]
    unknown = [name for name in header if name not in COLUMNS]
    missing = ["branch"] if "branch" not in header else []
    if "brand" not in header and brand is None:
        missing.append("brand (or --brand)")
    if unknown or missing:
        raise ConfigError(
            "line 1: the header must name the columns "
            f"({', '.join(COLUMNS)}); "
            + "; ".join(
                part
                for part in (
                    f"unknown: {', '.join(unknown)}" if unknown else "",
                    f"missing: {', '.join(missing)}" if missing else "",
                )
                if part
            )
        )
    known = {name.casefold(): name for name in brands}
    result = BranchImport()
    seen: dict[tuple[str, str], _Branch] = {}
    urls: dict[str, tuple[int, str]] = {}
    end = reader.line_num
    for cells in reader:
        # A quoted cell may span lines: a row is named by the line it starts on.
        line, end = end + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        result.rows += 1
        row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}
        problem, parsed = _check_row(row, known, brand, detect_kind, known_kinds, check_source)
        if problem is None and parsed is not None:
            problem = _merge(parsed, line, seen, urls)
        if problem is not None:
            result.errors.append(f"line {line}: {problem}")
    for (brand_name, branch_name), branch in seen.items():
        result.branches.setdefault(brand_name, []).append(
            BranchInput(
                name=branch_name,
                city=branch.city,
                address=branch.address,
                timezone=branch.timezone,
                sources=tuple(branch.sources),
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class _Row:
    brand: str
    branch: str
    city: str | None
    address: str | None
    timezone: str | None
    source: SourceInput | None


def _check_row(
    row: dict[str, str],
    known: dict[str, str],
    default_brand: str | None,
    detect_kind: Callable[[str], str | None],
    known_kinds: Sequence[str],
    check_source: Callable[[SourceSpec], None],
) -> tuple[str | None, _Row | None]:
    brand_cell = row.get("brand") or default_brand or ""
    brand = known.get(brand_cell.casefold())
    if brand is None:
        names = ", ".join(sorted(known.values())) or "none"
        return f"brand {brand_cell!r} is not in the config (known: {names})", None
    branch = row.get("branch", "")
    if not branch:
        return "branch is empty", None
    if len(branch) > 200:
        return "branch name is longer than 200 characters", None
    zone = row.get("timezone") or None
    try:
        if zone is not None:
            check_zone(zone)
    except ValueError as exc:
        return str(exc), None
    source = None
    url = row.get("url", "")
    if url:
        try:
            # The brands file's own checks: scheme, no user:password, no secret in the URL,
            # interval within bounds.
            spec = SourceConfig.model_validate(
                {"url": url, **({"interval": row["interval"]} if row.get("interval") else {})}
            )
        except ValidationError as exc:
            return _first_error(exc), None
        kind = row.get("kind") or detect_kind(url)
        if kind is None:
            return f"cannot tell the source kind from {url!r}; fill the kind column", None
        if kind not in known_kinds:
            return f"unknown source kind {kind!r}", None
        source = SourceInput(kind=kind, url=url, interval_seconds=spec.interval)
        try:
            check_source(SourceSpec(kind, url, (brand,), {}))
        except ConfigError as exc:
            return str(exc), None
    elif row.get("kind") or row.get("interval"):
        return "kind or interval given without a url", None
    return None, _Row(
        brand, branch, row.get("city") or None, row.get("address") or None, zone, source
    )


def _first_error(exc: ValidationError) -> str:
    """The first problem as the row's message: the URL's own words, `field: …` for the rest."""
    error = exc.errors()[0]
    cause = (error.get("ctx") or {}).get("error")
    message = str(cause) if cause is not None else error["msg"]
    field_name = str(error["loc"][0]) if error["loc"] else ""
    return message if field_name == "url" else f"{field_name}: {message}"


def _merge(
    row: _Row, line: int, seen: dict[tuple[str, str], _Branch], urls: dict[str, tuple[int, str]]
) -> str | None:
    """Several rows of one branch must agree on its details; a URL belongs to one branch."""
    key = (row.brand, row.branch)
    branch = seen.get(key)
    if branch is not None:
        for name in ("city", "address", "timezone"):
            mine, theirs = getattr(row, name), getattr(branch, name)
            if mine and theirs and mine != theirs:
                return (
                    f"branch {row.branch!r}: {name} {mine!r} differs from line {branch.line} "
                    f"({theirs!r})"
                )
    if row.source is not None:
        earlier = urls.get(row.source.url)
        if earlier is not None and earlier[1] != row.branch:
            return (
                f"{row.source.url} is already listed for branch {earlier[1]!r} on line {earlier[0]}"
            )
    if branch is None:
        branch = seen[key] = _Branch(line, row.city, row.address, row.timezone)
    branch.city = branch.city or row.city
    branch.address = branch.address or row.address
    branch.timezone = branch.timezone or row.timezone
    if row.source is not None and row.source.url not in urls:
        urls[row.source.url] = (line, row.branch)
        branch.sources.append(row.source)
    return None
