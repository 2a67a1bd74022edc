"""A 2GIS branch whose reviews the test changes between polls, served in the shape of the
public reviews API (`/2.0/branches/<id>/reviews`, paged by `meta.next_link`) by SiteServer.

    branch = ReviewListing(server, branch_id="70000001006794419", page_size=3)
    branch.add("r1", "Ужасно", rating=1, age=timedelta(hours=2))
    branch.edit("r1", rating=4); branch.answer("r1", "Простите нас"); branch.remove("r1")
    branch.shuffle(random.Random(1)); branch.stated_total = 10
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from aiohttp import web

from tests.fakes.site_server import SiteServer


@dataclass(slots=True)
class ListedReview:
    id: str
    text: str
    rating: int
    created: datetime
    answer: str | None = None


class ReviewListing:
    def __init__(self, server: SiteServer, *, branch_id: str, page_size: int = 3) -> None:
        self.server = server
        self.branch_id = branch_id
        self.page_size = page_size
        self.reviews: list[ListedReview] = []
        # None: the count of listed reviews; a number: what the site claims instead.
        self.stated_total: int | None = None
        self.path = f"/2.0/branches/{branch_id}/reviews"
        server.add_handler(self.path, self._serve)

    @property
    def page_url(self) -> str:
        return self.server.url(f"/moscow/firm/{self.branch_id}")

    @property
    def ids(self) -> set[str]:
        return {review.id for review in self.reviews}

    def add(
        self, review_id: str, text: str, *, rating: int, age: timedelta, at: int | None = None
    ) -> None:
        """A review dated `age` ago, newest first unless `at` puts it elsewhere (late items)."""
        review = ListedReview(review_id, text, rating, datetime.now(UTC) - age)
        if at is None:
            self.reviews.append(review)
            self.reviews.sort(key=lambda r: r.created, reverse=True)
        else:
            self.reviews.insert(at, review)

    def find(self, review_id: str) -> ListedReview:
        return next(review for review in self.reviews if review.id == review_id)

    def edit(self, review_id: str, *, text: str | None = None, rating: int | None = None) -> None:
        review = self.find(review_id)
        review.text = text if text is not None else review.text
        review.rating = rating if rating is not None else review.rating

    def answer(self, review_id: str, text: str) -> None:
        self.find(review_id).answer = text

    def remove(self, review_id: str) -> None:
        self.reviews = [review for review in self.reviews if review.id != review_id]

    def shuffle(self, rng: random.Random) -> None:
        rng.shuffle(self.reviews)

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        offset = int(request.query.get("offset", "0"))
        page = self.reviews[offset : offset + self.page_size]
        following = offset + self.page_size
        query = dict(request.query) | {"offset": str(following)}
        next_link = (
            f"{self.server.origin}{self.path}?{urlencode(query)}"
            if following < len(self.reviews)
            else None
        )
        total = self.stated_total if self.stated_total is not None else len(self.reviews)
        body = {
            "meta": {"code": 200, "total_count": total, "next_link": next_link},
            "reviews": [self._review(review) for review in page],
        }
        return web.json_response(body)

    def _review(self, review: ListedReview) -> dict[str, object]:
        row: dict[str, object] = {
            "id": review.id,
            "text": review.text,
            "rating": review.rating,
            "provider": "2gis",
            "date_created": review.created.isoformat(),
            "user": {"name": f"Гость {review.id}"},
        }
        if review.answer:
            row["official_answer"] = {"text": review.answer, "org_name": "Кофемания"}
        return row
