"""Yandex Maps, 2GIS, Flamp, Google Places and Business Profile through the real fetch path."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from scrapers import registry
from scrapers.errors import AntiBotPage, FetchError, ParseError, SourceConfigError
from scrapers.records import PollState, SourceSpec
from tests.scrapers.conftest import REVIEW_SITE_KINDS, page

BRANCH = "70000001006794419"


def _spec(kind: str, url: str, **options: str) -> SourceSpec:
    return SourceSpec(kind=kind, url=url, options=dict(options))


# --- 2GIS / Flamp ----------------------------------------------------------------------------


def _serve_twogis(site_server) -> None:
    path = f"/2.0/branches/{BRANCH}/reviews"
    first = (
        page("twogis", "branch_reviews_page1.json").decode().replace("{BASE}", site_server.origin)
    )
    site_server.add(
        path,
        page("twogis", "branch_reviews_page2.json"),
        content_type="application/json",
        query={"offset_date": "2025-11-02T18:04:11.493000+07:00"},
    )
    site_server.add(path, first, content_type="application/json", query={"sort_by": "date_created"})


async def test_twogis_backfills_all_pages_field_by_field(site_server, fetcher) -> None:
    _serve_twogis(site_server)
    spec = _spec("twogis", site_server.url(f"/moscow/firm/{BRANCH}"), key="test-key")
    result = await registry.create(spec, fetcher).poll(PollState())

    assert [i.external_id for i in result.items] == [
        "168301942",
        "168244017",
        "167990325",
        "151002488",
        "149877100",
    ]
    first, no_text, _, other_year, hidden = result.items
    assert first.author == "Марина К."
    assert first.rating == 5
    assert first.published_at == datetime(2026, 3, 14, 12, 22, 41, 736284, tzinfo=UTC)
    assert first.text == (
        "Зашли с дочкой после кино 🎬🍰\nЧизкейк отличный, кофе горячий.\n\n"
        "Обслуживание быстрое, спасибо Анне!"
    )
    assert first.reply == "Марина, спасибо за тёплый отзыв!\nПередадим Анне 🙂"
    assert first.url == spec.url
    assert first.extra["provider"] == "2gis"
    assert no_text.text == "" and no_text.reply is None and no_text.author == "Игорь"
    assert no_text.published_at == datetime(2026, 3, 10, 1, 15, tzinfo=UTC)
    assert other_year.published_at.year == 2024 and other_year.author == "Ольга Смирнова"
    assert other_year.reply == "Ольга, с наступающим!"
    assert hidden.extra["hidden"] == "1" and hidden.extra["hiding_reason"] == "spam"
    request = site_server.hits(f"/2.0/branches/{BRANCH}/reviews")[0]
    assert request.query["key"] == "test-key" and request.query["limit"] == "50"
    assert result.state.backfilled


async def test_twogis_later_poll_stops_at_known_reviews(site_server, fetcher) -> None:
    _serve_twogis(site_server)
    spec = _spec("twogis", site_server.url(f"/moscow/firm/{BRANCH}"), key="test-key")
    source = registry.create(spec, fetcher)
    first = await source.poll(PollState())
    calls = len(site_server.requests)
    again = await source.poll(first.state)
    assert again.items == [] and len(again.listed) == 5
    # Page 1 holds nothing new, page 2 is the overlap read for late reviews.
    assert len(site_server.requests) == calls + 2
    assert first.site_total == again.site_total == 5


@pytest.mark.parametrize(
    ("kind", "path", "option"),
    [
        ("google_maps", "/maps/place/Kofemania", "api_key"),
        ("google_business", "/v4/accounts/1/locations/2", "access_token"),
    ],
)
async def test_google_without_credentials_is_misconfigured(
    site_server, fetcher, kind: str, path: str, option: str
) -> None:
    spec = _spec(kind, site_server.url(path), place_id="ChIJx", api_base=site_server.origin)
    with pytest.raises(SourceConfigError, match=f"option {option} is missing") as caught:
        await registry.create(spec, fetcher).poll(PollState())
    assert caught.value.source == kind
    assert site_server.requests == []


async def test_twogis_changed_answer_is_parse_error(site_server, fetcher) -> None:
    site_server.add(
        f"/2.0/branches/{BRANCH}/reviews",
        b'{"meta": {"code": 200}, "items": []}',
        content_type="application/json",
    )
    spec = _spec("twogis", site_server.url(f"/moscow/firm/{BRANCH}"), key="k")
    with pytest.raises(ParseError):
        await registry.create(spec, fetcher).poll(PollState())


async def test_flamp_keeps_flamp_reviews_only(site_server, fetcher) -> None:
    _serve_twogis(site_server)
    spec = _spec("flamp", site_server.url(f"/firm/kofemaniya_kofejjnya-{BRANCH}"), key="test-key")
    result = await registry.create(spec, fetcher).poll(PollState())
    assert [i.external_id for i in result.items] == ["168244017", "151002488"]
    assert all(i.extra["provider"] == "flamp" for i in result.items)


# --- Yandex Maps -----------------------------------------------------------------------------

ORG = "/maps/org/kofemaniya/1124715036/reviews/"


def _serve_yandex(site_server) -> None:
    site_server.add(ORG, page("yandex_maps", "org_reviews.html"))
    api = "/maps/api/business/fetchReviews"
    site_server.add(
        api,
        page("yandex_maps", "fetch_reviews_page2.json"),
        content_type="application/json",
        query={"page": "2"},
    )
    site_server.add(
        api,
        page("yandex_maps", "fetch_reviews_page1.json"),
        content_type="application/json",
        query={"page": "1"},
    )


async def test_yandex_backfills_through_the_reviews_api(site_server, fetcher) -> None:
    _serve_yandex(site_server)
    spec = _spec("yandex_maps", site_server.url("/maps/org/kofemaniya/1124715036/"))
    result = await registry.create(spec, fetcher).poll(PollState())

    assert len(result.items) == 5
    first, no_text, replied, _, other_year = result.items
    assert first.external_id == "Hk3Xq0fQ1yPmaW7vL0mZ5tJt2bTQnq9"
    assert first.author == "Анна Соколова" and first.rating == 5
    assert first.text == "Уютно и вкусно ☕️🥐\nСырники — лучшие в городе!\n\nПридём ещё."
    assert first.reply == "Анна, спасибо! Ждём вас снова 🙂"
    assert first.published_at == datetime(2026, 3, 14, 9, 12, 44, 215000, tzinfo=UTC)
    assert first.url == "https://yandex.ru/maps/org/kofemaniya/1124715036/reviews/"
    assert first.extra["author_level"] == "Знаток города 6 уровня"
    assert no_text.text == "" and no_text.reply is None and no_text.rating == 1
    assert replied.reply == "Елена, простите за ожидание. Мы добавили второго кассира."
    assert other_year.published_at.year == 2024 and other_year.language == "en"

    api_calls = site_server.hits("/maps/api/business/fetchReviews")
    query = api_calls[0].query
    assert query["csrfToken"] == "a1b2c3d4e5f6:1773400000"
    assert query["sessionId"] == "1773400000000_987654"
    assert query["ranking"] == "by_time" and query["businessId"] == "1124715036"
    unsigned = {k: v for k, v in query.items() if k != "s"}
    from scrapers.sources._yandex_parse import signature

    assert query["s"] == signature(unsigned)


async def test_yandex_retries_once_with_a_renewed_token(site_server, fetcher) -> None:
    site_server.add(
        "/maps/api/business/fetchReviews",
        page("yandex_maps", "fetch_reviews_token_refresh.json"),
        content_type="application/json",
        times=1,
    )
    _serve_yandex(site_server)
    spec = _spec("yandex_maps", site_server.url("/maps/org/kofemaniya/1124715036/"), max_pages="1")
    result = await registry.create(spec, fetcher).poll(PollState())
    assert len(result.items) == 3
    retried = site_server.hits("/maps/api/business/fetchReviews")[1]
    assert retried.query["csrfToken"] == "b2c4e7f1d8a9:1773480000"


async def test_yandex_later_poll_fetches_only_new(site_server, fetcher) -> None:
    _serve_yandex(site_server)
    spec = _spec("yandex_maps", site_server.url("/maps/org/kofemaniya/1124715036/"))
    source = registry.create(spec, fetcher)
    first = await source.poll(PollState(), backfill_limit=2)
    assert [i.external_id for i in first.items] == [
        "Hk3Xq0fQ1yPmaW7vL0mZ5tJt2bTQnq9",
        "u9AbCdEfGh2IjKlMnOpQrStUvWx",
    ]
    again = await source.poll(first.state)
    # Page 1 holds nothing unknown, page 2 (the overlap) holds reviews past the first limit.
    assert [i.external_id for i in again.listed][:2] == [i.external_id for i in first.items]
    assert len(again.items) == 2


async def test_yandex_captcha_is_anti_bot(site_server, fetcher) -> None:
    site_server.add(ORG, page("yandex_maps", "showcaptcha.html"))
    spec = _spec("yandex_maps", site_server.url("/maps/org/kofemaniya/1124715036/"))
    with pytest.raises(AntiBotPage):
        await registry.create(spec, fetcher).poll(PollState())


async def test_yandex_page_without_tokens_is_parse_error(site_server, fetcher) -> None:
    site_server.add(ORG, "<html><head></head><body><div class='app'>new layout</div></body></html>")
    spec = _spec("yandex_maps", site_server.url("/maps/org/kofemaniya/1124715036/"))
    with pytest.raises(ParseError):
        await registry.create(spec, fetcher).poll(PollState())


def test_yandex_saved_html_page_parses_cards() -> None:
    from scrapers.sources._yandex_parse import parse_html

    items = parse_html(page("yandex_maps", "org_reviews.html").decode(), url="u", link="L").items
    assert [i.author for i in items] == ["Анна Соколова", "Дмитрий", "Игорь Николаев"]
    assert items[0].text == "Уютно и вкусно ☕️🥐\nСырники — лучшие в городе!\n\nПридём ещё."
    assert items[0].reply == "Анна, спасибо! Ждём вас снова 🙂"
    assert items[1].rating == 1 and items[1].text == ""
    # "12 марта 2026" is midnight in Moscow.
    assert items[1].published_at == datetime(2026, 3, 11, 21, 0, tzinfo=UTC)
    assert items[2].published_at.year == 2025


# --- Google ----------------------------------------------------------------------------------


async def test_google_places_new_reads_at_most_five(site_server, fetcher) -> None:
    place = "ChIJ7bUHu0JKtUYR3Xl1E0s8c0g"
    site_server.add(
        f"/v1/places/{place}",
        page("google_maps", "place_details_new.json"),
        content_type="application/json",
    )
    spec = _spec(
        "google_maps",
        "https://www.google.com/maps/place/Kofemania/@55.74,37.56,17z",
        api_key="AIza-test",
        place_id=place,
        api_base=site_server.origin,
    )
    result = await registry.create(spec, fetcher).poll(PollState())
    assert len(result.items) == 4
    first, no_text, _, translated = result.items
    assert first.external_id == "ChZDSUhNMG9nS0VJQ0FnSURuMWRmWkZREAE"
    assert first.text == "Отличный завтрак 🍳\nРекомендую!" and first.rating == 5
    assert first.author == "Алексей Смирнов"
    assert first.published_at == datetime(2026, 3, 10, 8, 42, 17, 913271, tzinfo=UTC)
    assert no_text.text == "" and no_text.rating == 2
    assert translated.text == "Sehr guter Kaffee." and translated.published_at.year == 2024
    request = site_server.hits(f"/v1/places/{place}")[0]
    assert request.headers["X-Goog-Api-Key"] == "AIza-test"
    assert "reviews" in request.headers["X-Goog-FieldMask"]


async def test_google_places_finds_the_place_by_name(site_server, fetcher) -> None:
    site_server.add(
        "/v1/places:searchText",
        b'{"places": [{"id": "ChIJabc1234567"}]}',
        content_type="application/json",
        method="POST",
    )
    site_server.add(
        "/v1/places/ChIJabc1234567",
        page("google_maps", "place_details_new.json"),
        content_type="application/json",
    )
    spec = _spec(
        "google_maps",
        "https://www.google.com/maps/place/%D0%9A%D0%BE%D1%84%D0%B5%D0%BC%D0%B0%D0%BD%D0%B8%D1%8F/@55,37,17z",
        api_key="k",
        api_base=site_server.origin,
    )
    result = await registry.create(spec, fetcher).poll(PollState())
    assert len(result.items) == 4
    assert json.loads(site_server.hits("/v1/places:searchText")[0].body) == {
        "textQuery": "Кофемания"
    }


async def test_google_places_legacy_newest(site_server, fetcher) -> None:
    site_server.add(
        "/maps/api/place/details/json",
        page("google_maps", "place_details_legacy.json"),
        content_type="application/json",
    )
    spec = _spec(
        "google_maps",
        "https://www.google.com/maps/place/Kofemania",
        api_key="k",
        place_id="ChIJx",
        places_api="legacy",
        api_base=site_server.origin,
    )
    result = await registry.create(spec, fetcher).poll(PollState())
    assert [i.author for i in result.items] == ["Алексей Смирнов", "Kate Brown"]
    assert result.items[0].published_at == datetime.fromtimestamp(1773132137, UTC)
    assert site_server.hits("/maps/api/place/details/json")[0].query["reviews_sort"] == "newest"


async def test_google_places_error_status_is_parse_error(site_server, fetcher) -> None:
    site_server.add(
        "/v1/places/ChIJx",
        b'{"error": {"code": 400, "message": "API key not valid", "status": "INVALID_ARGUMENT"}}',
        content_type="application/json",
    )
    spec = _spec(
        "google_maps",
        "https://www.google.com/maps/place/K",
        api_key="bad",
        place_id="ChIJx",
        api_base=site_server.origin,
    )
    with pytest.raises(ParseError, match="API key not valid"):
        registry.create(spec, fetcher).parse(
            await registry.create(spec, fetcher).fetch_page(None, etag=None, last_modified=None)
        )


async def test_google_business_pages_with_token_and_bearer(site_server, fetcher) -> None:
    path = "/v4/accounts/108123456789012345678/locations/4512345678901234567/reviews"
    site_server.add(
        path,
        page("google_business", "reviews_page2.json"),
        content_type="application/json",
        query={"pageToken": "CiRBYkZ2T3FtN0h5M1V0NVEQAQ"},
    )
    site_server.add(
        path, page("google_business", "reviews_page1.json"), content_type="application/json"
    )
    spec = _spec(
        "google_business",
        "https://mybusiness.googleapis.com/v4/accounts/108123456789012345678/locations/4512345678901234567",
        access_token="ya29.test",
        api_base=site_server.origin,
    )
    result = await registry.create(spec, fetcher).poll(PollState())
    assert len(result.items) == 5
    first, no_text, translated, other, anonymous = result.items
    assert first.reply == "Алексей, спасибо! Ждём снова." and first.rating == 5
    assert first.text == "Отличный завтрак 🍳\nРекомендую!"
    assert no_text.text == "" and no_text.rating == 2
    assert translated.text == "Sehr guter Kaffee, langsamer Service."
    assert other.published_at == datetime(2025, 12, 30, 19, 0, tzinfo=UTC) and other.rating == 1
    assert anonymous.author is None and anonymous.published_at.year == 2024
    assert all(r.headers["Authorization"] == "Bearer ya29.test" for r in site_server.hits(path))


async def test_google_business_rejected_token_says_so(site_server, fetcher) -> None:
    path = "/v4/accounts/1/locations/2/reviews"
    site_server.add(path, b'{"error": {"code": 401}}', status=401, content_type="application/json")
    spec = _spec(
        "google_business",
        "https://mybusiness.googleapis.com/v4/accounts/1/locations/2",
        access_token="expired",
        api_base=site_server.origin,
    )
    with pytest.raises(FetchError, match="refused the access token"):
        await registry.create(spec, fetcher).poll(PollState())


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://yandex.ru/maps/org/kofemaniya/1124715036/reviews/", "yandex_maps"),
        ("https://yandex.ru/maps/org/kofemaniya/1124715036/", "yandex_maps"),
        ("https://2gis.ru/moscow/firm/70000001006794419/tab/reviews", "twogis"),
        ("https://novosibirsk.flamp.ru/firm/shokoladnica_kofejjnya-141265769338187", "flamp"),
        ("https://www.google.com/maps/place/Kofemania/@55.7,37.5,17z/data=!3m1", "google_maps"),
        ("https://mybusiness.googleapis.com/v4/accounts/1/locations/2", "google_business"),
    ],
)
def test_detect_map_urls(url: str, kind: str) -> None:
    matching = [k for k in REVIEW_SITE_KINDS if registry.source_class(k).matches_url(url)]
    assert matching == [kind]
    assert registry.detect(url) == kind
