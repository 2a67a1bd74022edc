"""Property: whatever happens on the site between polls — new reviews, late ones under old
dates, edits, removals, a reshuffled order — polling it in order and then the daily full walk
leaves the storage holding exactly what the site shows, and each new review that was negative
when Otklik first read it alerted once (one raised to 3★ before any poll reached it was never
seen as a complaint, and one lowered to 1★ first is one)."""

from __future__ import annotations

import asyncio
import random
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
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
        first_read: dict[str, int] = {}  # new review -> its stars when first stored
        removed = 0

        async def note_first_reads() -> None:
            # A review is stored by the poll that read it, so it is on the site at that moment.
            rating_now = {r.id: r.rating for r in h.site.reviews}
            for review_id in (await h.stored()).keys() - first_read.keys():
                if review_id.startswith("n"):
                    first_read[review_id] = rating_now[review_id]

        for number, (op, pick, stars, hours) in enumerate(steps):
            current = h.site.reviews
            if op in ("new", "late"):
                review_id = f"n{number}"
                at = 0 if op == "new" else pick % (len(current) + 1)
                h.site.add(review_id, f"Отзыв {review_id}", rating=stars, age=hours * HOUR, at=at)
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
            await note_first_reads()
        await h.reconcile()
        await note_first_reads()
        new_negative = {review_id for review_id, stars in first_read.items() if stars <= 2}

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
# A 1★ review posted deep in the list (only the full walk reaches it) and raised to 3★ first.
@example(steps=[("new", 0, 1, 1)] * 3 + [("late", 7, 1, 1), ("edit", 7, 3, 1)])
def test_polled_in_order_the_storage_holds_what_the_site_shows(steps: list[Op]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_run(steps, Path(folder)))
