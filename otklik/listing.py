"""What a poll's listing says about the reviews already stored: new, edited, answered by the
business on the platform, shown again after removal. Pure: the pipeline stores the result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from storage.records import NewMention, StoredMention


@dataclass(slots=True)
class ListingChanges:
    fresh: list[NewMention] = field(default_factory=list)
    edited: list[tuple[StoredMention, NewMention]] = field(default_factory=list)
    # (mention id, the business's answer as the site shows it)
    replies: list[tuple[int, str]] = field(default_factory=list)
    reappeared: list[int] = field(default_factory=list)


def compare(
    items: Sequence[NewMention], keys: Sequence[str], stored: dict[str, StoredMention]
) -> ListingChanges:
    changes = ListingChanges()
    seen: set[str] = set()
    for item, key in zip(items, keys, strict=True):
        if key in seen:
            continue
        seen.add(key)
        old = stored.get(key)
        if old is None:
            changes.fresh.append(item)
            continue
        if old.removed_at is not None:
            changes.reappeared.append(old.id)
        if (
            (item.title or None) != (old.title or None)
            or item.text != old.text
            or item.rating != old.rating
        ):
            changes.edited.append((old, item))
        if item.business_reply and item.business_reply != (old.business_reply or ""):
            changes.replies.append((old.id, item.business_reply))
    return changes
