"""What a site sends is made storable and comparable before it leaves the scrapers.

Every item a source yields passes `clean_item`: control characters (NUL included, which
PostgreSQL refuses in text) and lone surrogates (which no encoder accepts) are dropped, and
fields stored in bounded columns are kept within `LIMITS`, so one hostile review can never fail
the transaction that stores its neighbours.

`name_key` is how names are compared (brand names in commands, aliases in texts): Unicode
compatibility forms folded, invisible characters such as the soft hyphen and zero-width space
removed, case ignored.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import replace

from scrapers.records import ScrapedItem

# The widths storage gives these fields (storage/models.py: Mention); other text is unbounded.
LIMITS = {"external_id": 300, "url": 2000, "author": 300, "language": 8}

# C0 controls except tab and newline, DEL, C1 controls, and lone surrogates.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Format characters nobody sees: soft hyphen, zero-width space/joiners, word joiner, BOM, bidi.
_INVISIBLE = re.compile(
    r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f"
    r"\u202a-\u202e\u2060-\u2064\u206a-\u206f\u3164\ufeff\uffa0]"
)


def clean_text(value: str) -> str:
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE.sub("", value) if _UNSAFE.search(value) else value


def visible(value: str) -> str:
    """The text as a reader sees it: compatibility forms folded, invisible characters gone."""
    if not unicodedata.is_normalized("NFKC", value):
        value = unicodedata.normalize("NFKC", value)
    return _INVISIBLE.sub("", value) if _INVISIBLE.search(value) else value


def name_key(value: str) -> str:
    """Comparison key of a name: visible characters, case-folded, spaces collapsed."""
    return " ".join(visible(value).casefold().replace("ё", "е").split())


def _bounded(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    value = clean_text(value)
    limit = LIMITS[field]
    if len(value) <= limit:
        return value or None
    if field == "external_id":
        # Still unique and stable: a prefix to recognise it by, and a digest of the whole.
        digest = hashlib.sha256(value.encode("utf-8")).hexdigest()
        return f"{value[: limit - len(digest) - 1]}~{digest}"
    if field == "author":
        return value[: limit - 1] + "…"
    return None  # a cut link or language code would be wrong, not shorter


def clean_item(item: ScrapedItem) -> ScrapedItem:
    if _is_clean(item):
        return item  # the common case: nothing to copy
    return replace(
        item,
        external_id=_bounded(item.external_id, "external_id"),
        url=_bounded(item.url, "url"),
        author=_bounded(item.author, "author"),
        language=_bounded(item.language, "language"),
        text=clean_text(item.text),
        title=None if item.title is None else clean_text(item.title),
        reply=None if item.reply is None else clean_text(item.reply),
        extra={clean_text(str(k)): clean_text(str(v)) for k, v in item.extra.items()},
    )


def _is_clean(item: ScrapedItem) -> bool:
    for name, limit in LIMITS.items():
        value = getattr(item, name)
        if value is not None and (len(value) > limit or not value):
            return False
    if not all(isinstance(v, str) for v in item.extra.values()):
        return False
    # One search over every field at once: most items have nothing to clean.
    joined = "".join(
        (item.text, item.title or "", item.reply or "", item.external_id or "", item.url or "",
         item.author or "", *item.extra, *item.extra.values())
    )  # fmt: skip
    return "\r" not in joined and _UNSAFE.search(joined) is None
