"""Where a person answers a review by hand, for sites without a reply API."""

from __future__ import annotations

import re
from urllib.parse import quote

_YANDEX_ORG = re.compile(r"/maps/org/[^/?#]+/(\d+)")


def reply_link(kind: str, url: str, external_id: str | None) -> str | None:
    """The owner's answer form, else the review's own page (`url` is the review's link, or the
    source's URL when the review has none); None when the kind is unknown."""
    if kind == "yandex_maps":
        match = _YANDEX_ORG.search(url)
        # Owners answer Yandex Maps reviews in Yandex Business (the organization's cabinet).
        return f"https://yandex.ru/sprav/{match[1]}/p/edit/reviews/" if match else url
    if kind in ("twogis", "flamp"):
        # Owners signed in with their 2GIS business account answer on the firm's reviews tab.
        return url
    if kind == "otzovik":
        return f"https://otzovik.com/review_{external_id}.html#comments" if external_id else url
    if kind in ("irecommend", "zoon"):
        return url
    if kind == "trustpilot":
        if external_id:
            return f"https://businessapp.b2b.trustpilot.com/reviews/{quote(external_id, safe='')}"
        return "https://businessapp.b2b.trustpilot.com/reviews"
    if kind in ("google_maps", "google_business"):
        return "https://business.google.com/reviews"
    if kind == "google_play":
        return "https://play.google.com/console/developers"
    if kind in ("appstore", "app_store"):
        return "https://appstoreconnect.apple.com/apps"
    return None
