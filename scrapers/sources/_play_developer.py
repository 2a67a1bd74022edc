"""Google Play Developer API `reviews.list` answers (`androidpublisher/v3/…/reviews`).

reviews[]{reviewId, authorName, comments[]{userComment{text, originalText, starRating,
lastModified{seconds, nanos}, reviewerLanguage, appVersionName, thumbsUpCount},
developerComment{text, lastModified}}}, tokenPagination.nextPageToken. The owner's own view of
the reviews (last 7 days only, as Google documents); `otklik parse google_play FILE` reads a saved
answer. Checked against the shape of the huginn fixture only (marked SYNTHETIC there).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from scrapers.base import Page
from scrapers.entries import read_entries
from scrapers.records import ScrapedItem
from scrapers.sources._reviews_common import (
    as_dict,
    as_list,
    from_epoch,
    load_json,
    opt_dict,
    opt_str,
    rating_1_5,
    require_id,
    tidy,
)

SOURCE = "google_play"
_STORE = "https://play.google.com/store/apps/details"


def parse_developer_api(text: str, *, url: str, app: str | None) -> Page:
    data = as_dict(load_json(text, url=url, source=SOURCE), "answer", url=url, source=SOURCE)
    rows = as_list(data.get("reviews", []), "reviews", url=url, source=SOURCE)
    read = read_entries(rows, lambda row: _review(row, url=url, app=app))
    token = opt_str(opt_dict(data.get("tokenPagination")).get("nextPageToken"))
    return Page(read.items, token, skipped=tuple(read.skipped), path="Developer API")


def _review(row: Any, *, url: str, app: str | None) -> ScrapedItem:
    row = as_dict(row, "review", url=url, source=SOURCE)
    review_id = require_id(row, "reviewId", url=url, source=SOURCE)
    comments = [c for c in row.get("comments") or [] if isinstance(c, dict)]
    user = next((opt_dict(c.get("userComment")) for c in comments if "userComment" in c), {})
    developer = next(
        (opt_dict(c.get("developerComment")) for c in comments if "developerComment" in c), {}
    )
    seconds = opt_dict(user.get("lastModified")).get("seconds")
    extra: dict[str, str] = {}
    for key, field in (("version", "appVersionName"), ("thumbs_up", "thumbsUpCount")):
        value = opt_str(user.get(field))
        if value:
            extra[key] = value
    replied = opt_dict(developer.get("lastModified")).get("seconds")
    if developer and replied is not None:
        extra["reply_at"] = from_epoch(replied, url=url, source=SOURCE).isoformat()
    return ScrapedItem(
        external_id=review_id,
        url=f"{_STORE}?id={quote(app)}&reviewId={quote(review_id)}" if app else None,
        text=tidy(user.get("text")),
        author=opt_str(row.get("authorName")),
        rating=rating_1_5(user.get("starRating"), url=url, source=SOURCE),
        published_at=from_epoch(seconds, url=url, source=SOURCE),
        reply=tidy(developer.get("text")) or None,
        language=opt_str(user.get("reviewerLanguage")),
        extra=extra,
    )
