"""Every real recording under ../shared/fixtures/<kind>/ read right, field by field.

The expected values below were read from the recorded files themselves (JSON fields, HTML
attributes, epoch seconds as stored), not from the parsers' output. Every file of a kind's
folder must be listed, either with its records or with the error a page without reviews gives,
so a new recording cannot slip in unchecked. Skips with the reason when ../shared is absent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scrapers import registry
from scrapers.errors import NotReviewsPage, ParseError, SourceError
from scrapers.fetch import FetchResponse
from scrapers.records import ScrapedItem, SourceSpec
from tests.scrapers.conftest import SHARED_FIXTURES


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def legacy_place_id(author_url: str, seconds: int) -> str:
    """The id given to a legacy Places review, which has none of its own: author and time."""
    return "legacy:" + hashlib.sha1(f"{author_url}|{seconds}".encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Want:
    """One record as the file shows it. A text or reply ending in "…" is a prefix."""

    id: str
    url: str | None
    author: str | None
    rating: float | None
    published: datetime | None
    text: str
    reply: str | None = None
    title: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Recording:
    kind: str
    source_url: str
    count: int
    records: dict[int, Want]
    site_total: int | None = None
    replies: int | None = None


APP_JP = "https://itunes.apple.com/jp/review?id=1404176564&type=Purple%20Software"
APP_GB = "https://itunes.apple.com/gb/review?id=1510826067&type=Purple%20Software"
FIRM_2024 = "https://2gis.ru/barnaul/firm/563478234508453"
FIRM_2021 = "https://2gis.ru/novosibirsk/firm/70000001017466092"
PLAY_IGTV = "https://play.google.com/store/apps/details?id=com.instagram.igtv"
TP = "https://www.trustpilot.com/reviews/"
TCHAN = "tchan_tchantest_2023-02/"

_ALVARO = Want(
    "tchantest/5",
    "https://t.me/tchantest/5",
    "Álvaro Justen",
    None,
    at("2023-02-24T07:29:57+00:00"),
    "Hello! Signed and edited message",
    extra={"views": "2"},
)

RECORDINGS: dict[str, Recording] = {
    # --- App Store -------------------------------------------------------------------------
    "appstore/daybysay_reviewer_jp_id1404176564_2020-08.json": Recording(
        "appstore",
        "https://apps.apple.com/jp/app/reality/id1404176564",
        50,
        {
            0: Want(
                "6290024630",
                APP_JP,
                "ヤミ。",
                4,
                None,  # the JSON feed of 2020 has no per-entry date
                "とにかく周りの人皆んなが暖かく、みんなとすぐに仲良くなることができました！\n…",
                title="神アプリ",
                extra={"version": "3.4.3"},
            ),
            49: Want(
                "6123449936",
                APP_JP,
                "あかさたなうは",
                3,
                None,
                "配信を見るのが楽しいです！が…\n赤いところを押して配信を始めようとすると\n…",
                title="配信が出来ない理由がわからない",
                extra={"version": "3.3.15"},
            ),
        },
    ),
    "appstore/daybysay_reviewer_jp_id1404176564_2020-08.atom.xml": Recording(
        "appstore",
        "https://apps.apple.com/jp/app/reality/id1404176564",
        50,
        {
            0: Want(
                "6310006838",
                APP_JP,
                "単刀直入にさきいか",
                5,
                at("2020-08-12T04:06:20-07:00"),
                "いろんな髪型追加して欲しい\n片方ツインテールとかさまざまな髪型追加してほしいです\n…",
                title="髪型追加してもらいたい",
                extra={"version": "3.5.0"},
            ),
        },
    ),
    "appstore/jcoynel_1510826067_gb_1.json": Recording(
        "appstore",
        "https://apps.apple.com/gb/app/x/id1510826067",
        4,
        {
            0: Want(
                "6504352127",
                APP_GB,
                "immeallme",
                5,
                None,
                "Such a great app for checking off which sites you've visited. …",
                title="Amazing photos integration",
                extra={"version": "1.1.0"},
            ),
            3: Want(
                "6091772301",
                APP_GB,
                "Kel@Kai boon",
                5,
                None,
                "Beautiful app for travellers with wanderlust.",
                title="Informative, ads-free and very neat",
                extra={"version": "1.0.0"},
            ),
        },
    ),
    "appstore/jcoynel_1510826067_gb_2.json": Recording(
        "appstore", "https://apps.apple.com/gb/app/x/id1510826067", 0, {}
    ),
    "appstore/jcoynel_100000000_gb_1.json": Recording(
        "appstore", "https://apps.apple.com/gb/app/x/id100000000", 0, {}
    ),
    "appstore/jcoynel_555731861_us_11_page-depth-error.txt": Recording(
        "appstore", "https://apps.apple.com/us/app/x/id555731861", 0, {}
    ),
    "appstore/jcoynel_497799835_cn_5.json": Recording(
        "appstore",
        "https://apps.apple.com/cn/app/xcode/id497799835",
        50,
        {
            0: Want(
                "6668621742",
                "https://itunes.apple.com/cn/review?id=497799835&l=en&type=Purple%20Software",
                "黎大大llll",
                3,
                None,
                "最大的问题就是无线调试和有线调试的问题，…",
                title="使用直观感受",
                extra={"version": "12.2"},
            ),
        },
    ),
    "appstore/jcoynel_497799835_fr_1.json": Recording(
        "appstore",
        "https://apps.apple.com/fr/app/xcode/id497799835",
        50,
        {
            1: Want(
                "6856326071",
                "https://itunes.apple.com/fr/review?id=497799835&l=en&type=Purple%20Software",
                "Maxime3874",
                1,
                None,
                "I have 39Go free on my main hard drive and more than 400Go free on my external "
                "hard drive.…",
                title="Not enought free space",
                extra={"version": "12.3"},
            ),
        },
    ),
    "appstore/tonomb_1446075923_us_first50_DERIVED-wrapped.json": Recording(
        "appstore",
        "https://apps.apple.com/us/app/disney/id1446075923",
        50,
        {
            0: Want(
                "11065687572",
                "https://itunes.apple.com/us/review?id=1446075923&type=Purple%20Software",
                "Cindy MAXWIN",
                4,
                at("2024-03-20T08:41:40-07:00"),
                "Disney plus is amazing. I can always find something good…",
                title="Thank you",
                extra={"version": "3.0.2"},
            ),
        },
    ),
    "appstore/tonomb_1446075923_us_entries-only_2024-03.json": Recording(
        "appstore",
        "https://apps.apple.com/us/app/disney/id1446075923",
        500,
        {
            499: Want(
                "10997310023",
                "https://itunes.apple.com/us/review?id=1446075923&type=Purple%20Software",
                "J Spike",
                2,
                at("2024-03-01T12:57:44-07:00"),
                "Disney + has some great international content, but absolutel…",
            ),
        },
    ),
    # --- Google Play -------------------------------------------------------------------------
    "google_play/jomingyu_com.instagram.igtv.html": Recording(
        "google_play",
        PLAY_IGTV,
        40,
        {
            0: Want(
                "gp:AOqpTOHpDiDVq6UwVU-FPMGnz3IrzBPdlZD_DOHXiqfAyucVpOgmcogx4LHNAnN7Ts1KxNnrPS6ZFoJS7bSEyA",
                PLAY_IGTV
                + "&reviewId=gp%3AAOqpTOHpDiDVq6UwVU-FPMGnz3IrzBPdlZD_DOHXiqfAyucVpOgmcogx4LHNAnN7T"
                "s1KxNnrPS6ZFoJS7bSEyA",
                "Cazzie",
                1,
                epoch(1574145827),
                "I uploaded one video then a few days later it won't show my files to upload "
                "another. Just blank.…",
                extra={"version": "119.0.0.33.147", "thumbs_up": "16"},
            ),
            39: Want(
                "gp:AOqpTOF3JxoX0Sak97q_CVFWV6vhSCyyHuvwsFbqNAP43KaeQnb-_AUI7qu_dyS27zaMS9rqmKLrRwJPYGf4tg",
                PLAY_IGTV
                + "&reviewId=gp%3AAOqpTOF3JxoX0Sak97q_CVFWV6vhSCyyHuvwsFbqNAP43KaeQnb-_AUI7qu_dyS27z"
                "aMS9rqmKLrRwJPYGf4tg",
                "Jaime Crilly",
                2,
                epoch(1567076487),
                "I can no longer post any videos - the app either just says it failed to post or "
                "it just stops working. Please help?!",
            ),
        },
    ),
    "google_play/jomingyu_com.trixi.bike.stunts.driving_2019.html": Recording(
        "google_play",
        "https://play.google.com/store/apps/details?id=com.trixi.bike.stunts.driving",
        1,
        {
            0: Want(
                "gp:AOqpTOGfNcu_gH2GcMF0XGdjhtZ06235CQuQdWiKJHoReAxKqu0o9ZNKQot4KSDaBOOi8O1oGl_tDeUHvneA7G8",
                "https://play.google.com/store/apps/details?id=com.trixi.bike.stunts.driving"
                "&reviewId=gp%3AAOqpTOGfNcu_gH2GcMF0XGdjhtZ06235CQuQdWiKJHoReAxKqu0o9ZNKQot4KSDaBOOi"
                "8O1oGl_tDeUHvneA7G8",
                "Shuhsi2 Japan",
                5,
                epoch(1563679544),
                "best gamer ever",
                extra={"version": "1.0", "thumbs_up": "2"},
            ),
        },
    ),
    "google_play/huginn_google_play_developer_api_reviews.SYNTHETIC.json": Recording(
        "google_play",
        "https://play.google.com/store/apps/details?id=com.example",
        1,
        {
            0: Want(
                "12345",
                "https://play.google.com/store/apps/details?id=com.example&reviewId=12345",
                "Bob",
                4,
                epoch(1505862059),
                "So much better. Much more intuitive.",
                reply="developer comment",
                extra={"version": "1.8.6", "thumbs_up": "1"},
            ),
        },
    ),
    # --- Google Maps (legacy Place Details) --------------------------------------------------
    "google_maps/gmsjava_PlaceDetailsQuay_2015.json": Recording(
        "google_maps",
        "https://www.google.com/maps/place/Quay",
        5,
        {
            0: Want(
                legacy_place_id("https://plus.google.com/114299517944848975298", 1441848853),
                "https://plus.google.com/105746337161979416551/about?hl=en-US",
                "Rachel Lewis",
                3,
                epoch(1441848853),
                "Overall disappointing. This is the second time i've been there and my experience…",
            ),
        },
        site_total=273,
    ),
    "google_maps/gmsjava_PlaceDetailsResponse_redacted_2023.json": Recording(
        "google_maps",
        "https://www.google.com/maps/place/Google+Workplace+6",
        1,
        {
            0: Want(
                legacy_place_id("http://google.com/", 1675722932),
                "https://maps.google.com/?cid=10281119596374313554",
                "redacted",
                1,
                epoch(1675722932),
                "redacted",
            ),
        },
        site_total=973,
    ),
    "google_maps/gmsjava_PlacesApiDetailsInFrenchResponse_2017.json": Recording(
        "google_maps",
        "https://www.google.com/maps/place/Sacre-Coeur",
        5,
        {
            0: Want(
                legacy_place_id(
                    "https://www.google.com/maps/contrib/106415011320657515581/reviews", 1497657494
                ),
                "https://maps.google.com/?cid=14970958066519606553",
                "VIHO GBEASSOR",
                5,
                epoch(1497657494),
                "Je me suis sentie à la maison de mon Père ÉTERNEL. Magnifique lieu…",
            ),
        },
        site_total=3688,
    ),
    "google_maps/gmsjava_PlacesApiPhotoResponse_GoogleSydney_2017.json": Recording(
        "google_maps",
        "https://www.google.com/maps/place/Google+Sydney",
        5,
        {
            0: Want(
                legacy_place_id(
                    "https://www.google.com/maps/contrib/100341567599258416785/reviews", 1496880715
                ),
                "https://maps.google.com/?cid=10281119596374313554",
                "Mark Sales",
                1,
                epoch(1496880715),
                "You have to  FIX your Google MY BUSINESS page business.\nWhy the business owner…",
            ),
        },
        site_total=458,
    ),
    # --- Trustpilot ---------------------------------------------------------------------------
    "trustpilot/huginn_trustpilot_api_reviews.json": Recording(
        "trustpilot",
        "https://www.trustpilot.com/review/example.dk",
        3,
        {
            0: Want(
                "59883aebfba87f08a8274e07",
                TP + "59883aebfba87f08a8274e07",
                "Jeffry Taraca",
                1,
                at("2017-08-07T10:03:23Z"),
                "Som ny erhvervsdrivende har jeg forsøgt at oprette login til…",
                title="Som ny erhvervsdrivende har jeg forsøgt …",
            ),
            2: Want(
                "504e1c59000064000227282c",
                TP + "504e1c59000064000227282c",
                "T.T",
                4,
                at("2012-09-10T16:59:05Z"),
                "De har styr på det, fungerer godt.",
                title="Godt",
            ),
        },
        replies=0,
    ),
    "trustpilot/bottasai_llmproject_bt.com_2023-05.html": Recording(
        "trustpilot",
        "https://www.trustpilot.com/review/bt.com",
        20,
        {
            0: Want(
                "6456378afe4e676d706281c4",
                TP + "6456378afe4e676d706281c4",
                "jason",
                1,
                at("2023-05-06T13:18:34Z"),
                "Oh my god, you almost have to laugh at how a communications business…",
                reply="Hi Jason. Thank you for taking the time to leave us a review.\n\n…",
                title="Communication shambles",
                extra={"reply_at": "2023-05-06T14:54:03+00:00"},
            ),
            19: Want(
                "645293ca9ce7558c6f001b91",
                TP + "645293ca9ce7558c6f001b91",
                "David Roberts",
                1,
                at("2023-05-03T19:03:06Z"),
                "I rang up customer services to renew my contract a…",
                reply="Hi David. Thank you for your review.…",
                title="I rang up customer services to renew my…",
            ),
        },
        site_total=13582,
        replies=12,
    ),
    "trustpilot/hallomax_trustpilot_page_2024-06_prettified.html": Recording(
        "trustpilot",
        "https://de.trustpilot.com/review/eventnet.de",
        20,
        {
            0: Want(
                "667d00c443645513f3ae5f18",
                TP + "667d00c443645513f3ae5f18",
                "Saskia Herrmann",
                5,
                at("2024-06-27T08:03:48Z"),
                "Eine spontane Anfrage in einer recht umtriebigen Zeit.…",
                title="Immer wieder gerne...",
            ),
            19: Want(
                "65490a193187cef050853d3d",
                TP + "65490a193187cef050853d3d",
                "Tim",
                5,
                at("2023-11-06T17:45:29Z"),
                "Spontane, professionelle Unterstützung, unkomplizi…",
                title="Top Internetsupport",
            ),
        },
        site_total=20,
        replies=4,
    ),
    "trustpilot/johncosch_single_review_card_fragment_2016-layout.html": Recording(
        "trustpilot",
        "https://www.trustpilot.com/review/hubspot.com",
        1,
        {
            0: Want(
                "570bf3ad0000ff00094f4ac6",
                TP + "570bf3ad0000ff00094f4ac6",
                "Colin Bovet",
                3,
                at("2016-04-11T18:57:49Z"),
                "We've been using HubSpot as our CRM for the past year and a half. We're a SaaS "
                "startup.\nMany HubSpot features…",
                title="Still needs a lot of development",
            ),
        },
    ),
    # --- 2GIS and Flamp (the same API answers) -------------------------------------------------
    "twogis/otdelanaliticialterra_2gis_branch563478234508453_reviews-concatenated_2024-11.json": (
        Recording(
            "twogis",
            FIRM_2024,
            163,
            {
                0: Want(
                    "124298797",
                    FIRM_2024,
                    "Алексей Абрамович",
                    1,
                    at("2024-11-27T01:22:01.227094+07:00"),
                    "Заказал газобетон сибит, 30 кубов, привезли откровенный брак…",
                    extra={"provider": "2gis", "likes_count": "0"},
                ),
                1: Want(
                    "119782830",
                    FIRM_2024,
                    "Роман Роман",
                    2,
                    at("2024-11-03T16:08:36.520161+07:00"),
                    "Никого не дождешься, ни консультантов, ни менеджеров…",
                    reply="Уважаемый Роман Роман! Хотелось бы уточнить…",
                ),
                55: Want(
                    "53629133",
                    "https://flamp.ru/r/563478234508453/8396666",
                    "SIMKA",
                    1,
                    at("2023-06-20T09:25:46.0+07:00"),
                    "Напутали в заказе по количеству позиций…",
                    reply="Уважаемая, SIMKA! Спасибо за отзыв.…",
                    extra={"provider": "flamp"},
                ),
                162: Want(
                    "383766",
                    "https://flamp.ru/r/563478234508453/646100",
                    "masha-nonko",
                    5,
                    at("2014-06-09T12:04:13.000452+07:00"),
                    "Недавно на работе строили складской комплекс.…",
                ),
            },
            replies=157,
        )
    ),
    "twogis/emagento_flamptest_2gis_branch70000001017466092_2021-02_php-array-converted.json": (
        Recording(
            "twogis",
            FIRM_2021,
            2,
            {
                0: Want(
                    "18918972",
                    "https://flamp.ru/r/70000001017466092/6686544",
                    "Полина Суворова",
                    5,
                    at("2021-01-27T22:03:14.0+07:00"),
                    "Распродажи я обожаю, люблю зайти и чтонибудь это-кое прикупить…",
                    reply="Добрый день, Уважаемый покупатель. Огромное спасибо за положительный …",
                    extra={"provider": "flamp", "reply_at": "2021-02-01T09:47:04+00:00"},
                ),
                1: Want(
                    "18873089",
                    FIRM_2021,
                    "Анна Квашнина",
                    2,
                    at("2021-01-25T14:26:44.918796+07:00"),
                    "Дурацкий магазин-цены высокие, того, что надо - нет.…",
                    extra={"provider": "2gis"},
                ),
            },
            site_total=49,
        )
    ),
    "flamp/otdelanaliticialterra_2gis_branch563478234508453_reviews-concatenated_2024-11.json": (
        Recording(
            "flamp",
            "https://barnaul.flamp.ru/firm/alterra-563478234508453",
            20,
            {
                0: Want(
                    "53629133",
                    "https://flamp.ru/r/563478234508453/8396666",
                    "SIMKA",
                    1,
                    at("2023-06-20T09:25:46.0+07:00"),
                    "Напутали в заказе по количеству позиций…",
                    reply="Уважаемая, SIMKA! Спасибо за отзыв.…",
                ),
                19: Want(
                    "383766",
                    "https://flamp.ru/r/563478234508453/646100",
                    "masha-nonko",
                    5,
                    at("2014-06-09T12:04:13.000452+07:00"),
                    "Недавно на работе строили складской комплекс.…",
                ),
            },
        )
    ),
    "flamp/emagento_flamptest_2gis_branch70000001017466092_2021-02_php-array-converted.json": (
        Recording(
            "flamp",
            "https://novosibirsk.flamp.ru/firm/galamart-70000001017466092",
            1,
            {
                0: Want(
                    "18918972",
                    "https://flamp.ru/r/70000001017466092/6686544",
                    "Полина Суворова",
                    5,
                    at("2021-01-27T22:03:14.0+07:00"),
                    "Распродажи я обожаю…",
                    reply="Добрый день, Уважаемый покупатель.…",
                ),
            },
        )
    ),
    # --- Yandex Maps, Otzovik ------------------------------------------------------------------
    "yandex_maps/nyosru_2602test_laravel_single_review_card_2024-10_devtools-copy.html": (
        Recording(
            "yandex_maps",
            "https://yandex.ru/maps/org/kafe/1234567890/",
            1,
            {
                0: Want(
                    "h:…",  # the card carries no id; one is made from author and time
                    "https://yandex.ru/maps/org/kafe/1234567890/reviews/",
                    "Виктория Гришина",
                    5,
                    at("2024-10-22T19:08:28.394Z"),
                    "были тут первый раз, на удивление, что все очень классно! отдельное спасибо "
                    "хотелось бы сказать официанту Дарье и бармену Максиму.…",
                    # The answer is collapsed ("Посмотреть ответ организации"): no text in the
                    # DOM, but the review is marked as answered.
                    extra={"author_level": "Знаток города 4 уровня", "reply_collapsed": "1"},
                ),
            },
        )
    ),
    "otzovik/morways-sss_otzovik-mirror_streamskill_reviews-list_2026-06_trap-script-removed.html": (
        Recording(
            "otzovik",
            "https://otzovik.com/reviews/streamskill_pro-servis_po_prodvizheniyu_twitch/",
            8,
            {
                0: Want(
                    "18393847",
                    "https://otzovik.com/review_18393847.html",
                    "Aezabat",
                    5,
                    # "2 июн 2026" on the page; the time of day is in datePublished's content.
                    at("2026-06-02T01:06:31+03:00"),
                    "Хотелось бы выделить особенно цену/качество.…",
                    title="Отличный сервис",
                ),
                7: Want(
                    "16961677",
                    "https://otzovik.com/review_16961677.html",
                    "АндрейКириллов",
                    5,
                    at("2025-01-22T20:03:50+03:00"),
                    "В прошлом году начал активно стримить на Твиче…",
                    title="Помогают в продвижении канала на Твиче",
                ),
            },
        )
    ),
    # --- Reddit, Hacker News, RSS --------------------------------------------------------------
    "reddit/reddit_search_listing_praw.json": Recording(
        "reddit",
        "https://www.reddit.com/search/?q=praw",
        6,
        {
            0: Want(
                "t3_3gpbiu",
                "https://www.reddit.com/r/redditdev/comments/3gpbiu/"
                "prawoauth2util_problem_using_get_banned_raise/",
                "dClauzel",
                None,
                epoch(1439370514),
                "# solved\n…",
                title="[PRAW][OAuth2Util] Problem using get_banned() : raise Forbidden(_raw=response)",
            ),
        },
    ),
    "reddit/asyncpraw_r-all_search_praw-oauth-search_2020-07-15.json": Recording(
        "reddit",
        "https://www.reddit.com/r/all/search/?q=praw+oauth+search",
        31,
        {
            0: Want(
                "t3_6ganxe",
                "https://www.reddit.com/r/learnpython/comments/6ganxe/"
                "how_to_check_if_a_username_is_available_on_reddit/",
                "cheesycow5",
                None,
                epoch(1497036556),
                "I need to check the availability of a username on …",
                title="How to check if a username is available on Reddit?",
            ),
        },
    ),
    "reddit/asyncpraw_top_t-all_limit100_2020-07-04.json": Recording(
        "reddit",
        "https://www.reddit.com/r/all/",
        100,
        {
            0: Want(
                "t3_7jsyqt",
                "https://www.reddit.com/r/announcements/comments/7jsyqt/"
                "the_fccs_vote_was_predictably_frustrating_but/",
                "spez",
                None,
                epoch(1513271415),
                "Following today’s disappointing vote from the FCC,…",
            ),
        },
    ),
    "hackernews/barathguevara_algolia_search_front_page_2020-07.json": Recording(
        "hackernews",
        "https://hn.algolia.com/?q=x",
        20,
        {
            0: Want(
                "23734093",
                "https://news.ycombinator.com/item?id=23734093",
                "fanf2",
                None,
                epoch(1593888188),
                "Websites that look like desktop GUIs",
                title="Websites that look like desktop GUIs",
                extra={"points": "848", "link": "https://simone.computer/#/webdesktops"},
            ),
        },
    ),
    "hackernews/udugama_algolia_search_tim-cook_tags-story_page1_2019.json": Recording(
        "hackernews",
        "https://hn.algolia.com/?q=tim+cook",
        20,
        {
            0: Want(
                "3078351",
                "https://news.ycombinator.com/item?id=3078351",
                "elmcitylabs",
                None,
                epoch(1317860669),
                "Tim Cook's email to Apple employees about Steve's passing",
                title="Tim Cook's email to Apple employees about Steve's passing",
                extra={"type": "story"},
            ),
        },
    ),
    "rss/huginn_onethingwell.rss": Recording(
        "rss",
        "http://onethingwell.org/rss",
        20,
        {
            0: Want(
                "http://onethingwell.org/post/127163643556",
                "http://onethingwell.org/post/127163643556",
                None,
                None,
                at("2015-08-20T17:00:10+01:00"),
                "…",
                title="CSVfix",
            ),
        },
    ),
    "rss/huginn_slickdeals.atom": Recording(
        "rss",
        "http://feeds.feedburner.com/SlickdealsnetFP",
        79,
        {
            0: Want(
                "http://slickdeals.net/permadeal/130160/"
                "green-man-gaming---pc-games-tomb-raider-game-of-the-year-6-hitman-absolution-"
                "elite-edition",
                "http://slickdeals.net/permadeal/130160/"
                "green-man-gaming---pc-games-tomb-raider-game-of-the-year-6-hitman-absolution-"
                "elite-edition",
                None,
                None,
                at("2014-09-13T18:13:44Z"),
                "…",
                title="PC Games: Tomb Raider: Game of the Year $6, Hitman Absolution: Elite "
                "Edition $5 & More",
            ),
        },
    ),
    # --- Telegram: one message block per file ---------------------------------------------------
    **{
        f"telegram/{TCHAN}{name}.html": Recording(
            "telegram", "https://t.me/s/tchantest", count, records
        )
        for name, count, records in [
            ("parse_audio_document__tchantest_12", 1, {}),
            ("parse_audio_message__tchantest_13", 0, {}),
            (
                "parse_emoji_message__tchantest_7",
                1,
                {
                    0: Want(
                        "tchantest/7",
                        "https://t.me/tchantest/7",
                        "…",
                        None,
                        at("2023-02-24T07:30:53+00:00"),
                        "👍",
                    )
                },
            ),
            (
                "parse_forwarded_text_message__tchantest_89",
                1,
                {
                    0: Want(
                        "tchantest/89",
                        "https://t.me/tchantest/89",
                        "tchan's test channel 👍",
                        None,
                        at("2023-02-24T12:13:31+00:00"),
                        ";)",
                        extra={"forwarded_from": "Some user", "views": "2"},
                    )
                },
            ),
            ("parse_location_message_2__tchantest_83", 0, {}),
            ("parse_location_message_3__tchantest_88", 0, {}),
            ("parse_location_message__tchantest_10", 0, {}),
            ("parse_message_weird_preview__CamaradosDeputados_7334", 1, {}),
            ("parse_multimedia_message__tchantest_84", 1, {}),
            ("parse_no_posts_found__none", 0, {}),
            ("parse_photo_multiple__tchantest_14", 1, {}),
            ("parse_photo_single__tchantest_16", 1, {}),
            (
                "parse_poll__tchantest_11",
                1,
                {
                    0: Want(
                        "tchantest/11",
                        "https://t.me/tchantest/11",
                        "…",
                        None,
                        at("2023-02-24T07:32:23+00:00"),
                        "Let's do a quick poll quizz mode\nOpt1\nOpt2\nOpt3",
                        extra={"poll": "1"},
                    )
                },
            ),
            ("parse_round_video_single__tchantest_17", 0, {}),
            # Channel events, not posts.
            ("parse_service_message_channel_created__tchantest_1", 0, {}),
            ("parse_service_message_channel_name_changed__tchantest_2", 0, {}),
            ("parse_service_message_channel_photo_updated__tchantest_3", 0, {}),
            ("parse_service_message_pinned__tchantest_92", 0, {}),
            # Rendered as an ordinary text post (no service_message class), so it is one.
            ("parse_service_message_channel_video_changed__tchantest_82", 1, {}),
            ("parse_signed_edited_text_message__tchantest_5", 1, {0: _ALVARO}),
            ("parse_sticker_message__tchantest_9", 0, {}),
            ("parse_text_message_link_no_preview__tchantest_24", 1, {}),
            ("parse_text_message_link_with_regular_preview__tchantest_94", 1, {}),
            ("parse_text_message_link_with_right_preview__tchantest_81", 1, {}),
            (
                "parse_text_message_multiline__tchantest_62",
                1,
                {
                    0: Want(
                        "tchantest/62",
                        "https://t.me/tchantest/62",
                        "…",
                        None,
                        at("2023-02-24T08:01:26+00:00"),
                        "Bigger\ntext\nmessage\nnumber\n34",
                    )
                },
            ),
            ("parse_text_message_signed_not_edited__tchantest_79", 1, {}),
            (
                "parse_text_reply_to_video__tchantest_20",
                1,
                {
                    0: Want(
                        "tchantest/20",
                        "https://t.me/tchantest/20",
                        "…",
                        None,
                        at("2023-02-24T07:38:31+00:00"),
                        "Reply to a video (not recorded in telegram)",
                    )
                },
            ),
            (
                "parse_unsigned_text_message__tchantest_6",
                1,
                {
                    0: Want(
                        "tchantest/6",
                        "https://t.me/tchantest/6",
                        "tchan's test channel 👍",
                        None,
                        at("2023-02-24T07:30:39+00:00"),
                        "Unsigned message",
                    )
                },
            ),
            ("parse_video_big__some_random_user_5343", 1, {}),
            ("parse_video_single_2__tchantest_19", 0, {}),
            ("parse_video_single__tchantest_18", 1, {}),
        ]
    },
}

# Recordings of the sites' pages that hold no reviews: the URL is wrong, not the parser.
NOT_REVIEWS: dict[str, tuple[str, str, type[SourceError], str]] = {
    "zoon/6hbnk998_zoon_spb_medical_catalog_2022-09_not-a-review-page.html": (
        "zoon",
        "https://spb.zoon.ru/medical/",
        NotReviewsPage,
        "catalog page",
    ),
    "irecommend/dmytryglazkov_ya_parser_irecommend.ru_homepage_2014-11.html": (
        "irecommend",
        "https://irecommend.ru/",
        NotReviewsPage,
        "home page",
    ),
    "reddit/praw_TestSubreddit.test_search.cassette.json": (
        "reddit",
        "https://www.reddit.com/search/?q=praw",
        NotReviewsPage,
        "not a Reddit listing",
    ),
}

KINDS = sorted({r.kind for r in RECORDINGS.values()} | {"zoon", "irecommend"})


def _folder_files(kind: str) -> list[str]:
    folder = SHARED_FIXTURES / kind
    if not folder.is_dir():
        pytest.skip(f"real recordings of {kind} not found at {folder.resolve()} (no ../shared)")
    return sorted(
        str(path.relative_to(SHARED_FIXTURES)) for path in folder.rglob("*") if path.is_file()
    )


def _parse(kind: str, source_url: str, relative: str):  # type: ignore[no-untyped-def]
    path = SHARED_FIXTURES / relative
    if not path.is_file():
        pytest.skip(f"real recording {relative} not found at {path.resolve()} (no ../shared)")
    source = registry.create(SourceSpec(kind, source_url), None)  # type: ignore[arg-type]
    return source.parse_safely(FetchResponse(200, path.resolve().as_uri(), path.read_bytes()))


@pytest.mark.parametrize("kind", KINDS)
def test_every_recording_of_the_kind_has_expected_values(kind: str) -> None:
    files = _folder_files(kind)
    unlisted = [name for name in files if name not in RECORDINGS and name not in NOT_REVIEWS]
    assert not unlisted, f"recordings without expected values in this test: {unlisted}"


def _matches(actual: str | None, wanted: str | None) -> bool:
    if wanted is None or actual is None:
        return actual == wanted
    if wanted.endswith("…"):
        return actual.startswith(wanted[:-1])
    return actual == wanted


def _check(item: ScrapedItem, want: Want) -> None:
    assert _matches(item.external_id, want.id), (item.external_id, want.id)
    assert item.url == want.url
    assert _matches(item.author, want.author), (item.author, want.author)
    assert item.rating == want.rating
    if want.published is None:
        assert item.published_at is None
    else:
        assert item.published_at is not None and item.published_at.utcoffset() is not None
        assert item.published_at == want.published
    assert _matches(item.text, want.text), (item.text[:200], want.text)
    assert _matches(item.reply, want.reply), (item.reply, want.reply)
    if want.title is not None:
        assert item.title == want.title
    for key, value in want.extra.items():
        assert item.extra.get(key) == value, (key, item.extra)


@pytest.mark.parametrize("relative", sorted(RECORDINGS))
def test_recording_read_right(relative: str) -> None:
    recording = RECORDINGS[relative]
    page = _parse(recording.kind, recording.source_url, relative)
    assert len(page.items) == recording.count
    assert page.skipped == ()
    for index, want in recording.records.items():
        _check(page.items[index], want)
    if recording.site_total is not None:
        assert page.site_total == recording.site_total
    if recording.replies is not None:
        assert sum(1 for item in page.items if item.reply) == recording.replies
    assert len({item.external_id for item in page.items}) == len(page.items)
    assert all(i.published_at is None or i.published_at.utcoffset() is not None for i in page.items)


@pytest.mark.parametrize("relative", sorted(NOT_REVIEWS))
def test_page_without_reviews_says_so(relative: str) -> None:
    kind, source_url, error, words = NOT_REVIEWS[relative]
    with pytest.raises(error, match=words) as caught:
        _parse(kind, source_url, relative)
    assert not isinstance(caught.value, ParseError)  # not "parser broken"
    assert caught.value.source == kind


def test_listing_covers_real_folders() -> None:
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(f"no ../shared/fixtures at {Path(SHARED_FIXTURES).resolve()}")
    folders = {p.name for p in SHARED_FIXTURES.iterdir() if p.is_dir()}
    assert folders <= set(KINDS), folders - set(KINDS)
