"""Property: whatever happens on the site between polls — new reviews, late ones under old
dates, edits, removals, a reshuffled order — polling it in order and then the daily full walk
leaves the storage holding exactly what the site shows, and each new negative alerted once."""

from __future__ import annotations

import asyncio
import random
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.completeness import OWNER, harness

HOUR = timedelta(hours=1)

Op = tuple[str, int, int, int]
ops = st.lists(
    st.tuples(
        st.sampled_from(["new", "new", "late", "edit", "remove", "shuffle", "reconcile"]),
        st.integers(0, 1000),  # which review / where / seed
        st.integers(1, 5),  # stars
        st.integers(1, 300),  # hours ago
    ),
    max_size=10,
)


async def _run(steps: list[Op], folder: Path) -> None:
    async with harness(f"sqlite+aiosqlite:///{folder / 'otklik.db'}", page_size=3) as h:
        for n in range(4):
            h.site.add(f"h{n}", f"Отзыв h{n}", rating=5 - n, age=(400 + n) * HOUR)
        await h.poll()
        new_negative: set[str] = set()
        removed = 0
        for number, (op, pick, stars, hours) in enumerate(steps):
            current = h.site.reviews
            if op in ("new", "late"):
                review_id = f"n{number}"
                at = 0 if op == "new" else pick % (len(current) + 1)
                h.site.add(review_id, f"Отзыв {review_id}", rating=stars, age=hours * HOUR, at=at)
                if stars <= 2:
                    new_negative.add(review_id)
            elif op == "edit" and current:
                h.site.edit(current[pick % len(current)].id, rating=stars)
            elif op == "remove" and len(current) > 4 and removed < 2:
                h.site.remove(current[pick % len(current)].id)
                removed += 1
            elif op == "shuffle":
                h.site.shuffle(random.Random(pick))
            if op == "reconcile":
                await h.reconcile()
            else:
                await h.poll()
        await h.reconcile()

        assert await h.shown() == h.site.ids
        stored = await h.stored()
        first_alerts = {
            a.mention_id for a in await h.outbox("alert") if a.dedup_key.count(":") == 2
        }
        assert first_alerts == {stored[review_id].id for review_id in new_negative}
        keys = [a.dedup_key for a in await h.outbox("alert")]
        assert all(key.split(":")[2] == str(OWNER) for key in keys) and len(keys) == len(set(keys))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=ops)
def test_polled_in_order_the_storage_holds_what_the_site_shows(steps: list[Op]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_run(steps, Path(folder)))
