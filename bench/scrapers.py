"""Parser throughput: each source's parser over its test pages (and ../shared recordings).

Run: .venv/bin/python bench/scrapers.py [--seconds 1.0]
Prints pages/s and items/s per source; the last line is one JSON object with the figures.
Parsing only (no network): the pages are handed to `Source.parse` as fetched responses.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scrapers import registry  # noqa: E402
from scrapers.fetch import FetchResponse  # noqa: E402
from scrapers.records import SourceSpec  # noqa: E402

PAGES = ROOT / "tests" / "pages"
SHARED = ROOT.parent / "shared" / "fixtures"

# kind → (source URL, [(page file, content type)])
CASES: dict[str, tuple[str, list[tuple[Path, str]]]] = {
    "rss": (
        "https://news.example.ru/rss",
        [
            (PAGES / "rss" / "news_windows1251.rss", "application/rss+xml"),
            (PAGES / "rss" / "google_alerts.atom", "application/atom+xml"),
            (SHARED / "rss" / "huginn_onethingwell.rss", "application/rss+xml"),
            (SHARED / "rss" / "huginn_slickdeals.atom", "application/rss+xml"),
        ],
    ),
    "appstore": (
        "https://apps.apple.com/ru/app/x/id1234567890",
        [
            (PAGES / "appstore" / "reviews_page1.json", "application/json"),
            (PAGES / "appstore" / "reviews_page2.json", "application/json"),
        ],
    ),
    "google_play": (
        "https://play.google.com/store/apps/details?id=ru.coffeemania.app",
        [
            (PAGES / "google_play" / "batchexecute_page1.txt", "application/json"),
            (PAGES / "google_play" / "batchexecute_page2_chunked.txt", "application/json"),
            (SHARED / "google_play" / "jomingyu_com.instagram.igtv.html", "text/html"),
        ],
    ),
    "telegram": (
        "https://t.me/s/coffee_review_msk",
        [
            (PAGES / "telegram" / "channel_page.html", "text/html"),
            (PAGES / "telegram" / "channel_page_before_118.html", "text/html"),
        ],
    ),
    "reddit": (
        "https://www.reddit.com/search/?q=x",
        [
            (PAGES / "reddit" / "search_page1.json", "application/json"),
            (PAGES / "reddit" / "search_page2.json", "application/json"),
            (SHARED / "reddit" / "reddit_search_listing_praw.json", "application/json"),
        ],
    ),
    "hackernews": (
        "https://hn.algolia.com/?q=x",
        [
            (PAGES / "hackernews" / "search_by_date_page0.json", "application/json"),
            (PAGES / "hackernews" / "search_by_date_page1.json", "application/json"),
        ],
    ),
}


def bench(kind: str, url: str, pages: list[tuple[Path, str]], seconds: float) -> dict[str, float]:
    source = registry.create(SourceSpec(kind, url), None)  # type: ignore[arg-type]
    responses = [
        FetchResponse(200, url, path.read_bytes(), ctype) for path, ctype in pages if path.is_file()
    ]
    parsed_pages = items = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for response in responses:
            items += len(source.parse(response).items)
            parsed_pages += 1
    elapsed = time.perf_counter() - started
    return {
        "files": len(responses),
        "pages_per_s": round(parsed_pages / elapsed, 1),
        "items_per_s": round(items / elapsed, 1),
        "avg_kb": round(sum(len(r.body) for r in responses) / len(responses) / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="time per source")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"note: {SHARED} absent; project test pages only")
    results: dict[str, dict[str, float]] = {}
    print(f"{'source':<12} {'files':>5} {'avg KB':>7} {'pages/s':>10} {'items/s':>11}")
    for kind, (url, pages) in CASES.items():
        figures = bench(kind, url, pages, args.seconds)
        results[kind] = figures
        print(
            f"{kind:<12} {figures['files']:>5} {figures['avg_kb']:>7} "
            f"{figures['pages_per_s']:>10} {figures['items_per_s']:>11}"
        )
    print(json.dumps({"bench": "scrapers", "sources": results}))


if __name__ == "__main__":
    main()
