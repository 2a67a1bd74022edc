"""Google Play reviews via the batchexecute RPC, served locally; plus the recorded app page."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest

from scrapers import registry
from scrapers.errors import NotReviewsPage, ParseError
from scrapers.fetch import Fetcher, FetchResponse
from scrapers.records import PollState, SourceSpec
from tests.fakes.site_server import SiteServer
from tests.scrapers.conftest import page, shared_fixture

RPC = "/_/PlayStoreUi/data/batchexecute"
APP = "/store/apps/details?id=ru.coffeemania.app&hl=ru&gl=ru"


def serve(server: SiteServer, first: str = "batchexecute_page1.txt") -> None:
    async def answer(request):  # type: ignore[no-untyped-def]
        from aiohttp import web

        form = parse_qs(await request.text())
        inner = json.loads(json.loads(form["f.req"][0])[0][0][1])
        token = inner[1][2][2]
        name = "batchexecute_page2_chunked.txt" if token else first
        return web.Response(body=page("google_play", name), content_type="application/json")

    server.add_handler(RPC, answer, method="POST")


def source(server: SiteServer, fetcher: Fetcher):
    return registry.create(SourceSpec("google_play", server.url(APP)), fetcher)


async def test_reviews_with_replies_across_pages(site_server: SiteServer, fetcher: Fetcher) -> None:
    serve(site_server)
    result = await source(site_server, fetcher).poll(PollState())
    ids = [i.external_id for i in result.items]
    assert ids == [f"gp:AOqpTOFakeReview000{n}" for n in ("1aa", "2bb", "3cc", "4dd", "5ee")]
    first = result.items[0]
    assert first.author == "Мария Иванова"
    assert first.rating == 1.0
    assert first.text == "Приложение вылетает при оплате.\nВерните старую версию!"
    assert first.published_at == datetime(2026, 6, 14, 8, 0, tzinfo=UTC)
    assert first.reply == "Мария, здравствуйте! Исправили в версии 5.12.1, обновитесь, пожалуйста."
    assert first.extra == {
        "version": "5.12.0",
        "thumbs_up": "12",
        "reply_at": "2026-06-14T10:00:00+00:00",
    }
    assert first.url == (
        "https://play.google.com/store/apps/details?id=ru.coffeemania.app"
        "&reviewId=gp%3AAOqpTOFakeReview0001aa"
    )
    assert result.items[2].text == "" and result.items[2].extra == {"thumbs_up": "1"}
    assert result.items[4].reply == "Светлана, приносим извинения, начислили 300 бонусов."
    requests = site_server.hits(RPC)
    assert [r.query for r in requests] == [{"hl": "ru", "gl": "ru"}] * 2
    outer = json.loads(parse_qs(requests[1].body)["f.req"][0])
    assert outer[0][0][0] == "oCPfdb"
    assert json.loads(outer[0][0][1]) == [
        None,
        [2, 2, [100, None, "CrQBCrEBKlIKOfc7msyC_FAKE_TOKEN_PAGE_2"], None, [None] * 9],
        ["ru.coffeemania.app", 7],
    ]


async def test_current_answer_with_uuid_ids(site_server: SiteServer, fetcher: Fetcher) -> None:
    serve(site_server, first="batchexecute_ocpfdb_uuid.txt")
    result = await source(site_server, fetcher).poll(PollState(), backfill_limit=2)
    first, second = result.items
    assert first.external_id == "8c1f7d4e-2b3a-4c5d-9e6f-0a1b2c3d4e5f"
    assert first.author == "Ольга Петрова" and first.rating == 2.0
    assert first.text == "После обновления не приходят пуш-уведомления о заказе."
    assert first.published_at == datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    assert first.reply == "Ольга, спасибо! Исправили в 6.0.2."
    assert first.extra["version"] == "6.0.1"
    assert first.url is not None and first.url.endswith(
        "&reviewId=8c1f7d4e-2b3a-4c5d-9e6f-0a1b2c3d4e5f"
    )
    assert second.external_id == "f0e1d2c3-b4a5-4968-8776-655443322110" and second.reply is None


async def test_unknown_app_is_parse_error(site_server: SiteServer, fetcher: Fetcher) -> None:
    serve(site_server, first="batchexecute_unknown_app.txt")
    with pytest.raises(ParseError, match="without data"):
        await source(site_server, fetcher).poll(PollState())


async def test_recorded_app_page_parses(site_server: SiteServer, fetcher: Fetcher) -> None:
    body = shared_fixture("google_play/jomingyu_com.instagram.igtv.html")
    site_server.add("/store/apps/details", body)
    spec = SourceSpec(
        "google_play", "https://play.google.com/store/apps/details?id=com.instagram.igtv"
    )
    fetched = await fetcher.get(site_server.url("/store/apps/details"))
    parsed = registry.create(spec, fetcher).parse(fetched)
    assert len(parsed.items) == 40
    first = parsed.items[0]
    assert first.external_id.startswith("gp:AOqpTOHpDiDVq6UwVU")
    assert first.author == "Cazzie"
    assert first.rating == 1.0
    assert first.published_at == datetime.fromtimestamp(1574145827, tz=UTC)
    assert first.extra == {"version": "119.0.0.33.147", "thumbs_up": "16"}
    assert first.text.startswith("I uploaded one video then a few days later")
    assert all(1 <= i.rating <= 5 for i in parsed.items)
    assert parsed.next and parsed.next.startswith("CpUBCpIB")


def test_other_page_is_not_a_reviews_page() -> None:
    spec = SourceSpec("google_play", "https://play.google.com/store/apps/details?id=x")
    src = registry.create(spec, None)  # type: ignore[arg-type]
    with pytest.raises(NotReviewsPage, match="neither"):
        src.parse(FetchResponse(200, "http://x", b"<html><body>Google Play</body></html>"))


def test_detect() -> None:
    assert (
        registry.detect("https://play.google.com/store/apps/details?id=ru.sberbankmobile")
        == "google_play"
    )
