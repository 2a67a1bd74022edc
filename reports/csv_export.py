"""The period's mentions as CSV (UTF-8 with BOM so spreadsheet apps read Cyrillic right)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from storage.repositories.stats import MentionRow, SourceInfo

COLUMNS = (
    "id", "date", "source", "source_url", "url", "author", "rating", "sentiment",
    "touchpoints", "backfill", "title", "text",
)  # fmt: skip
# Cells starting with these are formulas to a spreadsheet: a review must not run code.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def mentions_csv(mentions: Sequence[MentionRow], sources: Sequence[SourceInfo]) -> str:
    by_id = {source.id: source for source in sources}
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for mention in sorted(mentions, key=lambda item: (item.at, item.id)):
        source = by_id.get(mention.source_id)
        writer.writerow([
            mention.id,
            mention.at.isoformat(),
            source.kind if source else "",
            source.url if source else "",
            mention.url or "",
            _cell(mention.author or ""),
            "" if mention.rating is None else mention.rating,
            mention.sentiment or "",
            json.dumps(mention.touchpoints, ensure_ascii=False),
            int(mention.backfill),
            _cell(mention.title or ""),
            _cell(mention.text),
        ])  # fmt: skip
    return buffer.getvalue()


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value
