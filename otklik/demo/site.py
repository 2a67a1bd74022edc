"""A sample review site on loopback: 2GIS reviews API answers, an App Store reviews feed and a news
RSS feed, built in each source's real structure from the reviews below. It starts with a few weeks
of history; `publish()` makes the newer reviews appear, as a site does between two polls."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from aiohttp import web

from otklik.demo.loopback import serve_on_loopback

BRANCH_ID = "70000001027453"
APP_ID = "1234567890"


@dataclass(frozen=True, slots=True)
class DemoReview:
    id: str
    author: str
    text: str
    stars: int | None
    age: timedelta
    fresh: bool = False
    answer: str | None = None
    title: str = ""


MAP_REVIEWS = (
    DemoReview(
        "2g-101",
        "Мария",
        "Уютная кофейня, вкусный раф и свежие круассаны. Бариста всегда приветливые.",
        5,
        timedelta(days=12),
        answer="Мария, спасибо за тёплые слова! Ждём вас снова.",
    ),
    DemoReview(
        "2g-102",
        "Олег П.",
        "Нормальное место рядом с офисом, обычно беру капучино с собой.",
        4,
        timedelta(days=6),
    ),
    DemoReview(
        "2g-103",
        "Ирина",
        "Официант нахамил, заказ ждали сорок минут, а кофе принесли холодным. "
        "Цены при этом выше, чем у соседей. Больше не придём.",
        1,
        timedelta(minutes=25),
        fresh=True,
    ),
    DemoReview(
        "2g-104",
        "Дмитрий",
        "Отличный завтрак и быстрое обслуживание, спасибо персоналу!",
        5,
        timedelta(minutes=12),
        fresh=True,
    ),
)

APP_REVIEWS = (
    DemoReview(
        "asr-201",
        "kate_m",
        "Удобно заказывать заранее, забираю без очереди.",
        5,
        timedelta(days=9),
        title="Удобно",
    ),
    DemoReview(
        "asr-202",
        "Павел",
        "После обновления не проходит оплата картой, приложение вылетает. "
        "Поддержка не отвечает второй день.",
        2,
        timedelta(minutes=40),
        fresh=True,
        title="Не работает оплата",
    ),
)

NEWS = (
    DemoReview(
        "news-301",
        "Городские новости",
        "Кофемания открыла новую кофейню на Тверской: летняя веранда и десертная витрина.",
        None,
        timedelta(days=3),
        title="Кофемания открыла кофейню на Тверской",
    ),
    DemoReview(
        "news-302",
        "Городские новости",
        "Сеть Кофемания объявила о запуске программы лояльности в приложении.",
        None,
        timedelta(minutes=50),
        fresh=True,
        title="Кофемания запускает программу лояльности",
    ),
)


class SampleSite:
    """Serves the reviews above on 127.0.0.1 only; `publish()` reveals the fresh ones."""

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._published = False
        self._now = datetime.now(UTC)
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get(f"/2.0/branches/{BRANCH_ID}/reviews", self._twogis)
        app.router.add_get(
            f"/ru/rss/customerreviews/page={{page}}/id={APP_ID}/sortby=mostrecent/json",
            self._appstore,
        )
        app.router.add_get("/news.xml", self._news)
        self._runner, self.port = await serve_on_loopback(app)

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def publish(self) -> None:
        self._published = True

    def _visible(self, reviews: tuple[DemoReview, ...]) -> list[DemoReview]:
        shown = [review for review in reviews if self._published or not review.fresh]
        return sorted(shown, key=lambda review: review.age)

    def _when(self, review: DemoReview) -> datetime:
        return self._now - review.age

    async def _twogis(self, request: web.Request) -> web.Response:
        reviews = self._visible(MAP_REVIEWS)
        body = {
            "meta": {
                "code": 200,
                "branch_rating": 4.2,
                "branch_reviews_count": len(reviews),
                "total_count": len(reviews),
                "next_link": None,
            },
            "reviews": [self._twogis_review(review) for review in reviews],
        }
        return web.json_response(body)

    def _twogis_review(self, review: DemoReview) -> dict[str, object]:
        written = self._when(review)
        answer = (
            {
                "text": review.answer,
                "date_created": (written + timedelta(hours=3)).isoformat(),
                "org_name": "Кофемания",
            }
            if review.answer
            else None
        )
        return {
            "id": review.id,
            "text": review.text,
            "rating": review.stars,
            "date_created": written.isoformat(),
            "date_edited": None,
            "user": {"name": review.author},
            "official_answer": answer,
            "provider": "2gis",
            "is_hidden": False,
            "likes_count": 0,
        }

    async def _appstore(self, request: web.Request) -> web.Response:
        reviews = self._visible(APP_REVIEWS) if request.match_info["page"] == "1" else []
        feed = {
            "feed": {
                "id": {"label": f"{self.base}/ru/rss/customerreviews/id={APP_ID}/json"},
                "entry": [self._appstore_entry(review) for review in reviews],
            }
        }
        return web.Response(text=json.dumps(feed, ensure_ascii=False), content_type="text/json")

    def _appstore_entry(self, review: DemoReview) -> dict[str, object]:
        return {
            "author": {"name": {"label": review.author}, "label": ""},
            "updated": {"label": self._when(review).isoformat()},
            "im:rating": {"label": str(review.stars)},
            "im:version": {"label": "5.12.0"},
            "id": {"label": review.id},
            "title": {"label": review.title},
            "content": {"label": review.text, "attributes": {"type": "text"}},
        }

    async def _news(self, request: web.Request) -> web.Response:
        items = "".join(
            f'<item><guid isPermaLink="false">{review.id}</guid>'
            f"<title>{escape(review.title)}</title>"
            f"<link>{self.base}/news/{review.id}</link>"
            f"<description>{escape(review.text)}</description>"
            f"<pubDate>{format_datetime(self._when(review))}</pubDate></item>"
            for review in self._visible(NEWS)
        )
        feed = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Городские новости</title><link>{self.base}/</link>{items}</channel></rss>"
        )
        return web.Response(text=feed, content_type="application/rss+xml")
