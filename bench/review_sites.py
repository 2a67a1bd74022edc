"""Parse speed of the review sources: on the project's test pages and on the real recordings.

Runs each source's own `parse` (what a poll runs after the fetch) in a loop for about a second
per case and prints pages/s and items/s:
- on the project's test pages of the map and review-site sources (tests/pages);
- on every real recording under ../shared/fixtures/<kind>/ (all 13 kinds and Flamp), the pages
  that hold no reviews left out; skipped when ../shared is absent.
The last line is one JSON object {"test_pages": {kind: {...}}, "real_recordings": {kind: {...}}}.

    python bench/review_sites.py [seconds_per_case]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scrapers import PAGES, SHARED, bench  # noqa: E402
from scrapers import registry  # noqa: E402
from scrapers.errors import NotReviewsPage  # noqa: E402
from scrapers.fetch import FetchResponse  # noqa: E402
from scrapers.records import SourceSpec  # noqa: E402

# kind → (spec URL, test pages parsed as answers to that URL)
CASES: dict[str, tuple[str, list[str]]] = {
    "yandex_maps": (
        "https://yandex.ru/maps/org/kofemaniya/1124715036/",
        ["yandex_maps/org_reviews.html", "yandex_maps/fetch_reviews_page1.json"],
    ),
    "twogis": (
        "https://2gis.ru/moscow/firm/70000001006794419",
        ["twogis/branch_reviews_page1.json"],
    ),
    "flamp": (
        "https://flamp.ru/firm/k-70000001006794419",
        ["twogis/branch_reviews_page1.json"],
    ),
    "google_maps": (
        "https://www.google.com/maps/place/K",
        ["google_maps/place_details_new.json"],
    ),
    "google_business": (
        "https://mybusiness.googleapis.com/v4/accounts/1/locations/2",
        ["google_business/reviews_page1.json"],
    ),
    "otzovik": ("https://otzovik.com/reviews/k/", ["otzovik/reviews_page1.html"]),
    "irecommend": ("https://irecommend.ru/content/k", ["irecommend/content_page0.html"]),
    "zoon": ("https://zoon.ru/msk/restaurants/k/", ["zoon/org_page.html"]),
    "trustpilot": ("https://www.trustpilot.com/review/k.ru", ["trustpilot/review_page1.html"]),
}

# kind → the source URL the real recordings are parsed as answers to
REAL_URLS: dict[str, str] = {
    "appstore": "https://apps.apple.com/us/app/x/id1446075923",
    "google_play": "https://play.google.com/store/apps/details?id=com.instagram.igtv",
    "google_maps": "https://www.google.com/maps/place/X",
    "trustpilot": "https://www.trustpilot.com/review/bt.com",
    "twogis": "https://2gis.ru/barnaul/firm/563478234508453",
    "flamp": "https://barnaul.flamp.ru/firm/alterra-563478234508453",
    "yandex_maps": "https://yandex.ru/maps/org/kafe/1234567890/",
    "otzovik": "https://otzovik.com/reviews/streamskill/",
    "telegram": "https://t.me/s/tchantest",
    "reddit": "https://www.reddit.com/search/?q=praw",
    "hackernews": "https://hn.algolia.com/?q=x",
    "rss": "https://example.org/feed.rss",
    "irecommend": "https://irecommend.ru/content/x",
    "zoon": "https://zoon.ru/spb/x/",
}


def real_recordings(kind: str, url: str) -> list[FetchResponse]:
    """The kind's recordings that are review pages, as fetched answers."""
    source = registry.create(SourceSpec(kind, url), None)  # type: ignore[arg-type]
    responses = []
    for path in sorted((SHARED / kind).rglob("*")):
        if not path.is_file():
            continue
        response = FetchResponse(200, path.resolve().as_uri(), path.read_bytes())
        try:
            source.parse(response)
        except NotReviewsPage:
            continue
        responses.append(response)
    return responses


def time_parse(kind: str, url: str, responses: list[FetchResponse], seconds: float) -> dict:
    source = registry.create(SourceSpec(kind, url), None)  # type: ignore[arg-type]
    pages = items = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for response in responses:
            items += len(source.parse(response).items)
            pages += 1
    elapsed = time.perf_counter() - started
    return {
        "files": len(responses),
        "items_per_file_pass": sum(len(source.parse(r).items) for r in responses),
        "pages_per_s": round(pages / elapsed, 1),
        "items_per_s": round(items / elapsed, 1),
    }


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    test_pages: dict[str, dict[str, float]] = {}
    print("Test pages (tests/pages)")
    print(f"{'source':<16} {'pages/s':>10} {'items/s':>10}")
    for kind, (url, files) in CASES.items():
        timed = bench(kind, url, [(PAGES / name, "") for name in files], seconds)
        test_pages[kind] = {
            "pages_per_s": timed["pages_per_s"],
            "items_per_s": timed["items_per_s"],
        }
        print(f"{kind:<16} {timed['pages_per_s']:>10} {timed['items_per_s']:>10}")

    real: dict[str, dict] = {}
    print()
    if not SHARED.is_dir():
        print(f"Real recordings: {SHARED} absent, not measured")
    else:
        print("Real recordings (../shared/fixtures; pages without reviews left out)")
        print(f"{'source':<16} {'files':>5} {'items':>6} {'pages/s':>10} {'items/s':>10}")
        for kind, url in REAL_URLS.items():
            responses = real_recordings(kind, url) if (SHARED / kind).is_dir() else []
            if not responses:
                continue
            real[kind] = time_parse(kind, url, responses, seconds)
            figures = real[kind]
            print(
                f"{kind:<16} {figures['files']:>5} {figures['items_per_file_pass']:>6} "
                f"{figures['pages_per_s']:>10} {figures['items_per_s']:>10}"
            )
    print(json.dumps({"test_pages": test_pages, "real_recordings": real}))


if __name__ == "__main__":
    main()
