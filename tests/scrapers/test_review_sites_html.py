"""Otzovik, iRecommend, Zoon and Trustpilot through the real fetch path."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from scrapers import registry
from scrapers.errors import AntiBotPage, ParseError
from scrapers.records import PollState, SourceSpec
from scrapers.sources._trustpilot_parse import parse_page
from tests.scrapers.conftest import REVIEW_SITE_KINDS, page, shared_fixture

OTZ = "/reviews/kofeynya_kofemaniya_russia_moscow/"
IREC = "/content/kofeinya-kofemaniya-moskva"
ZOON = "/msk/restaurants/kofemaniya_na_kutuzovskom_prospekte/"
TP = "/review/coffeemania.ru"


def _spec(kind: str, url: str, **options: str) -> SourceSpec:
    return SourceSpec(kind=kind, url=url, options=dict(options))


def _msk_midnight(year: int, month: int, day: int) -> datetime:
    """Sites that print only a day mean that day in Moscow."""
    return datetime(year, month, day, tzinfo=ZoneInfo("Europe/Moscow"))


# --- Otzovik ---------------------------------------------------------------------------------


def _serve_otzovik(site_server) -> None:
    site_server.add(OTZ, page("otzovik", "reviews_page1.html"))
    site_server.add(OTZ + "2/", page("otzovik", "reviews_page2.html"))


async def test_otzovik_windows_1251_pages_field_by_field(site_server, fetcher) -> None:
    _serve_otzovik(site_server)
    result = await registry.create(_spec("otzovik", site_server.url(OTZ)), fetcher).poll(
        PollState()
    )
    assert [i.external_id for i in result.items] == [
        "16301122",
        "16298871",
        "16250003",
        "15874410",
        "14011999",
    ]
    first, slow, _, _, other_year = result.items
    assert first.author == "mashenka_m" and first.rating == 5
    assert first.title == "Лучшие сырники 😋"
    assert first.text == (
        "Были с подругой в субботу.\nСырники — чудо!\n\nОбязательно вернёмся 💛\n"
        "Достоинства: вкусно, уютно\nНедостатки: дороговато"
    )
    assert first.published_at == _msk_midnight(2026, 3, 14)
    assert first.url == site_server.url("/review_16301122.html")
    assert first.reply is None and first.extra["truncated"] == "1"
    assert slow.rating == 2 and slow.author == "ivan_v"
    assert other_year.published_at == _msk_midnight(2024, 8, 5) and other_year.rating == 1


async def test_otzovik_later_poll_only_new(site_server, fetcher) -> None:
    _serve_otzovik(site_server)
    source = registry.create(_spec("otzovik", site_server.url(OTZ)), fetcher)
    first = await source.poll(PollState(), backfill_limit=2)
    assert len(first.items) == 2
    before = len(site_server.requests)
    again = await source.poll(first.state)
    # The first page holds nothing new (its reviews past the limit are remembered); the second
    # is the overlap read for late reviews: its reviews are unknown to the scraper (the pipeline
    # files them as history, being older than what the first poll kept).
    assert len(site_server.requests) == before + 2
    assert {i.external_id for i in again.items}.isdisjoint(i.external_id for i in again.listed)
    assert {i.external_id for i in first.items} <= {i.external_id for i in again.listed}
    assert again.items and not {i.external_id for i in again.items} & {
        i.external_id for i in first.items
    }


async def test_otzovik_captcha_is_anti_bot_not_zero_reviews(site_server, fetcher) -> None:
    site_server.add(OTZ, page("otzovik", "captcha.html"))
    with pytest.raises(AntiBotPage, match="anti-bot"):
        await registry.create(_spec("otzovik", site_server.url(OTZ)), fetcher).poll(PollState())


async def test_otzovik_changed_layout_is_parse_error(site_server, fetcher) -> None:
    site_server.add(
        OTZ, "<html><body><div class='reviews-v2'><article>x</article></div></body></html>"
    )
    with pytest.raises(ParseError, match="layout changed"):
        await registry.create(_spec("otzovik", site_server.url(OTZ)), fetcher).poll(PollState())


# --- iRecommend ------------------------------------------------------------------------------


async def test_irecommend_pages_field_by_field(site_server, fetcher) -> None:
    site_server.add(IREC, page("irecommend", "content_page1.html"), query={"page": "1"})
    site_server.add(IREC, page("irecommend", "content_page0.html"))
    result = await registry.create(_spec("irecommend", site_server.url(IREC)), fetcher).poll(
        PollState()
    )
    assert [i.external_id for i in result.items] == ["7712345", "7710002", "7699999", "7400001"]
    first, empty, _, other_year = result.items
    assert first.author == "Katya_S" and first.rating == 5
    assert first.title == "Завтраки на высоте 🥞"
    assert first.text == "Сырники нежные,\nкофе крепкий.\n\nРекомендую! 😊"
    assert first.url == site_server.url("/content/vkusnye-zavtraki-9")
    assert first.published_at == _msk_midnight(2026, 3, 14)
    assert empty.text == "" and empty.rating == 1
    assert other_year.published_at == _msk_midnight(2024, 11, 15) and other_year.rating == 3


async def test_irecommend_cloudflare_wall(site_server, fetcher) -> None:
    site_server.add(
        IREC,
        "<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
        "<body><div id='cf-chl-widget'></div></body></html>",
        status=403,
    )
    with pytest.raises(AntiBotPage):
        await registry.create(_spec("irecommend", site_server.url(IREC)), fetcher).poll(PollState())


# --- Zoon ------------------------------------------------------------------------------------


async def test_zoon_cards_with_owner_answers(site_server, fetcher) -> None:
    site_server.add(ZOON, page("zoon", "org_page.html"))
    result = await registry.create(_spec("zoon", site_server.url(ZOON)), fetcher).poll(PollState())
    first, guest, other_year = result.items
    assert first.external_id == "65f2b1c8d4e5f60012345678"
    assert first.author == "Светлана" and first.rating == 5
    assert first.text == "Шикарные десерты 🍰🍓\nПерсонал внимательный.\n\nСпасибо!"
    assert first.reply == "Светлана, благодарим за отзыв! ❤️"
    assert first.published_at == datetime(2026, 3, 13, 18, 40, tzinfo=UTC)
    assert first.url == site_server.url(ZOON) + "#comment65f2b1c8d4e5f60012345678"
    assert guest.text == "" and guest.reply is None and guest.rating == 2
    assert other_year.published_at.year == 2025 and other_year.reply == "Николай, учтём, спасибо."


def test_zoon_json_ld_fallback() -> None:
    from scrapers.sources._html_reviews import parse_zoon

    items = parse_zoon(
        page("zoon", "org_page_jsonld.html").decode(), url="https://zoon.ru/msk/x/"
    ).items
    assert [(i.author, i.rating, i.text) for i in items] == [
        ("Светлана", 5, "Шикарные десерты"),
        ("Николай", 3, "Слишком громко."),
    ]
    assert items[1].published_at == _msk_midnight(2025, 12, 29)


# --- Trustpilot ------------------------------------------------------------------------------


async def test_trustpilot_next_data_pages(site_server, fetcher) -> None:
    site_server.add(TP, page("trustpilot", "review_page2.html"), query={"page": "2"})
    site_server.add(TP, page("trustpilot", "review_page1.html"), query={"sort": "recency"})
    spec = _spec(
        "trustpilot",
        "https://www.trustpilot.com/review/coffeemania.ru",
        api_base=site_server.origin,
    )
    result = await registry.create(spec, fetcher).poll(PollState())
    assert len(result.items) == 5
    first, empty, russian, replied, other_year = result.items
    assert first.external_id == "65f2a9c1e4b0a1b2c3d4e5f6"
    assert first.url == "https://www.trustpilot.com/reviews/65f2a9c1e4b0a1b2c3d4e5f6"
    assert first.title == "Best syrniki in Moscow 🥞"
    assert first.text == "Lovely place 😍\nFriendly staff.\n\nWill come back!"
    assert first.reply == "Thank you, Maria! See you soon."
    assert first.published_at == datetime(2026, 3, 14, 12, 44, 10, tzinfo=UTC)
    assert first.author == "Maria K" and first.rating == 5
    assert empty.text == "" and empty.rating == 1
    assert russian.language == "ru"
    assert replied.reply == "Happy holidays, Anna!"
    assert other_year.published_at.year == 2024


async def test_trustpilot_public_api_mode(site_server, fetcher) -> None:
    body = shared_fixture("trustpilot/huginn_trustpilot_api_reviews.json")
    unit = "468302bb00006400050000a5"
    site_server.add(f"/v1/business-units/{unit}/reviews", body, content_type="application/json")
    spec = _spec(
        "trustpilot",
        "https://www.trustpilot.com/review/www.actebis.dk",
        api_key="tp-key",
        business_unit_id=unit,
        api_base=site_server.origin,
    )
    result = await registry.create(spec, fetcher).poll(PollState())
    assert [i.rating for i in result.items] == [1, 1, 4]
    assert site_server.hits(f"/v1/business-units/{unit}/reviews")[0].query["apikey"] == "tp-key"


def test_trustpilot_real_api_recording() -> None:
    body = shared_fixture("trustpilot/huginn_trustpilot_api_reviews.json").decode()
    items = parse_page(body, url="https://api.trustpilot.com/v1/business-units/x/reviews").items
    assert [i.external_id for i in items] == [
        "59883aebfba87f08a8274e07",
        "56b85a2b0000ff000938b8bd",
        "504e1c59000064000227282c",
    ]
    first, _, oldest = items
    assert first.author == "Jeffry Taraca" and first.rating == 1
    assert first.published_at == datetime(2017, 8, 7, 10, 3, 23, tzinfo=UTC)
    assert first.reply is None and first.language == "da"
    assert oldest.title == "Godt" and oldest.text == "De har styr på det, fungerer godt."
    assert oldest.published_at.year == 2012 and oldest.rating == 4


async def test_trustpilot_page_without_next_data_is_parse_error(site_server, fetcher) -> None:
    site_server.add(
        TP, "<html><head><title>Kofemania</title></head><body><main>x</main></body></html>"
    )
    spec = _spec(
        "trustpilot",
        "https://www.trustpilot.com/review/coffeemania.ru",
        api_base=site_server.origin,
    )
    with pytest.raises(ParseError):
        await registry.create(spec, fetcher).poll(PollState())


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://otzovik.com/reviews/kofeynya_kofemaniya_russia_moscow/", "otzovik"),
        ("https://irecommend.ru/content/kofeinya-kofemaniya-moskva", "irecommend"),
        ("https://zoon.ru/msk/restaurants/kofemaniya_na_kutuzovskom_prospekte/", "zoon"),
        ("https://www.trustpilot.com/review/coffeemania.ru", "trustpilot"),
        ("https://uk.trustpilot.com/review/coffeemania.ru?page=2", "trustpilot"),
    ],
)
def test_detect_review_site_urls(url: str, kind: str) -> None:
    matching = [k for k in REVIEW_SITE_KINDS if registry.source_class(k).matches_url(url)]
    assert matching == [kind]
    assert registry.detect(url) == kind
