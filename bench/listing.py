"""What "nothing missed" costs per poll: a 2GIS listing (50 reviews a page) on a local site
server, the real fetch path and pipeline on SQLite. Times an incremental poll with nothing new
(the first page plus the overlap page, every listed review compared with the stored one), one
with new and edited reviews, and the daily full walk that finds removed ones."""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from otklik.pipeline import PipelineOptions  # noqa: E402
from tests.core.completeness import harness  # noqa: E402

HOUR = timedelta(hours=1)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    options = PipelineOptions(backfill_limit=args.reviews, reconcile_pages=args.reviews // 50 + 2)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        async with harness(url, page_size=50, options=options) as h:
            for n in range(args.reviews):
                h.site.add(f"r{n}", f"Отзыв номер {n}", rating=1 + n % 5, age=(n + 1) * HOUR / 4)
            started = time.perf_counter()
            first = await h.poll()
            backfill_s = time.perf_counter() - started
            # The first poll stops at max_pages; the first full walk stores the rest as history.
            started = time.perf_counter()
            history = await h.reconcile()
            history_s = time.perf_counter() - started
            assert history.alerts_queued == 0

            quiet: list[float] = []
            for _ in range(args.rounds):
                started = time.perf_counter()
                await h.poll()
                quiet.append(time.perf_counter() - started)
            requests_before = len(h.site.server.requests)
            await h.poll()
            pages_quiet = len(h.site.server.requests) - requests_before

            busy: list[float] = []
            for round_number in range(args.rounds):
                for k in range(5):
                    h.site.add(f"new{round_number}-{k}", "Ужасно", rating=1, age=HOUR / 10)
                    h.site.edit(f"r{round_number * 5 + k}", rating=5, text="Исправили")
                started = time.perf_counter()
                report = await h.poll()
                busy.append(time.perf_counter() - started)
                assert len(report.new_mentions) == 5 and report.edited == 5

            for n in range(10):
                h.site.remove(f"r{500 + n}")
            started = time.perf_counter()
            walk = await h.reconcile()
            walk_s = time.perf_counter() - started
            assert walk.removed == 10 and await h.shown() == h.site.ids

    quiet_ms = 1000 * sorted(quiet)[len(quiet) // 2]
    busy_ms = 1000 * sorted(busy)[len(busy) // 2]
    print(f"listing of {args.reviews} reviews, 50 a page, SQLite")
    print(f"  first poll (backfill of {len(first.new_mentions)}): {backfill_s:.2f} s")
    print(f"  first full walk (history beyond it: {len(history.new_mentions)}): {history_s:.2f} s")
    print(f"  incremental poll, nothing new: median {quiet_ms:.0f} ms, {pages_quiet} pages")
    print(f"  incremental poll, 5 new + 5 edited: median {busy_ms:.0f} ms")
    print(f"  full walk ({args.reviews // 50} pages, 10 removed found): {walk_s:.2f} s")
    print(f"  peak RSS {peak_rss_mb():.0f} MB")
    print(
        json.dumps(
            {
                "reviews": args.reviews,
                "backfill_s": round(backfill_s, 2),
                "history_walk_s": round(history_s, 2),
                "quiet_poll_ms": round(quiet_ms),
                "quiet_poll_pages": pages_quiet,
                "busy_poll_ms": round(busy_ms),
                "full_walk_s": round(walk_s, 2),
                "peak_rss_mb": round(peak_rss_mb()),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
