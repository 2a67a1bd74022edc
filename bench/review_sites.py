"""Parse speed of the map and review-site sources on their test pages.

Runs each source's own `parse` (what a poll runs after the fetch) on its recorded test pages in
a loop for about a second each and prints pages/s and items/s per source; the last line is one
JSON object {kind: {"pages_per_s", "items_per_s"}}.

    python bench/review_sites.py [seconds_per_source]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scrapers import PAGES, bench  # noqa: E402

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


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    figures: dict[str, dict[str, float]] = {}
    print(f"{'source':<16} {'pages/s':>10} {'items/s':>10}")
    for kind, (url, files) in CASES.items():
        timed = bench(kind, url, [(PAGES / name, "") for name in files], seconds)
        figures[kind] = {"pages_per_s": timed["pages_per_s"], "items_per_s": timed["items_per_s"]}
        print(f"{kind:<16} {figures[kind]['pages_per_s']:>10} {figures[kind]['items_per_s']:>10}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
