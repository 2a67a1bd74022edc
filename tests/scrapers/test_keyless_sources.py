"""Sources that need no configured key: 2GIS reads its public reviews key from the firm page,
Yandex Maps its session tokens and first reviews from the page's embedded state.

The pages are the project's reconstructions of the sites' real structure (tests/pages/README.md),
served by the local site server; the scrapers fetch them through the real fetcher.
"""

from __future__ import annotations

from datetime import UTC, datetime

from scrapers import registry
from scrapers.fetch import Fetcher
from scrapers.records import PollState, SourceSpec
from scrapers.site_tokens import SiteTokens
from tests.fakes.site_server import SiteServer
from tests.scrapers.conftest import page

BRANCH = "70000001006794419"
FIRM = f"/moscow/firm/{BRANCH}"
API = f"/2.0/branches/{BRANCH}/reviews"
PAGE_KEY = "6e7e1929-4ea9-4a5d-8c05-d601860389bd"
JSON = "application/json"


def _serve_reviews(site_server: SiteServer, key: str) -> None:
    first = (
        page("twogis", "branch_reviews_page1.json").decode().replace("{BASE}", site_server.origin)
    )
    first = first.replace("key=test-key", f"key={key}")
    site_server.add(
        API,
        page("twogis", "branch_reviews_page2.json"),
        content_type=JSON,
        query={"offset_date": "2025-11-02T18:04:11.493000+07:00", "key": key},
    )
    site_server.add(API, first, content_type=JSON, query={"sort_by": "date_created", "key": key})


async def test_twogis_reads_the_public_key_from_the_firm_page_once(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    site_server.add(FIRM, page("twogis", "firm_page.html"))
    _serve_reviews(site_server, PAGE_KEY)
    source = registry.create(SourceSpec("twogis", site_server.url(FIRM)), fetcher)

    first = await source.poll(PollState())
    assert len(first.items) == 5 and first.items[0].author == "Марина К."
    assert first.site_total == 5
    assert first.path == "API, key read from the site's page"
    assert {r.query["key"] for r in site_server.hits(API)} == {PAGE_KEY}

    again = await registry.create(SourceSpec("twogis", site_server.url(FIRM)), fetcher).poll(
        first.state
    )
    assert again.items == []
    assert len(site_server.hits(FIRM)) == 1  # the key was kept, not read again


async def test_twogis_reads_the_page_again_when_the_api_refuses_the_key(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    stale = (
        page("twogis", "firm_page.html")
        .decode()
        .replace(PAGE_KEY, "0ld0ld00-0000-4000-8000-000000000000")
    )
    site_server.add(FIRM, stale, times=1)
    site_server.add(FIRM, page("twogis", "firm_page.html"))
    site_server.add(
        API,
        b'{"meta": {"code": 403, "error": {"type": "keyError", "message": "Key is invalid"}}}',
        status=403,
        content_type=JSON,
        query={"key": "0ld0ld00-0000-4000-8000-000000000000"},
    )
    _serve_reviews(site_server, PAGE_KEY)

    result = await registry.create(SourceSpec("twogis", site_server.url(FIRM)), fetcher).poll(
        PollState()
    )
    assert len(result.items) == 5
    assert len(site_server.hits(FIRM)) == 2
    assert [r.query["key"] for r in site_server.hits(API)][:2] == [
        "0ld0ld00-0000-4000-8000-000000000000",
        PAGE_KEY,
    ]


async def test_twogis_key_option_overrides_the_page(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    _serve_reviews(site_server, "my-own-key")
    spec = SourceSpec("twogis", site_server.url(FIRM), options={"key": "my-own-key"})
    result = await registry.create(spec, fetcher).poll(PollState())
    assert len(result.items) == 5 and result.path == "API, key from the settings"
    assert site_server.hits(FIRM) == []


async def test_flamp_reads_the_key_from_the_branch_page_on_2gis(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    site_server.add(f"/firm/{BRANCH}", page("twogis", "firm_page.html"))
    _serve_reviews(site_server, PAGE_KEY)
    spec = SourceSpec("flamp", site_server.url(f"/firm/kofemaniya_kofejjnya-{BRANCH}"))
    result = await registry.create(spec, fetcher).poll(PollState())
    assert [i.external_id for i in result.items] == ["168244017", "151002488"]


def test_kept_tokens_expire() -> None:
    now = [100.0]
    tokens = SiteTokens(clock=lambda: now[0])
    tokens.put("k", "v", ttl=60)
    assert tokens.get("k") == "v"
    now[0] = 161.0
    assert tokens.get("k") is None


# --- Yandex Maps ----------------------------------------------------------------------------

ORG = "/maps/org/kofemaniya/1124715036/reviews/"
FETCH = "/maps/api/business/fetchReviews"


def _yandex(site_server: SiteServer, fetcher: Fetcher):  # type: ignore[no-untyped-def]
    spec = SourceSpec("yandex_maps", site_server.url("/maps/org/kofemaniya/1124715036/"))
    return registry.create(spec, fetcher)


async def test_yandex_without_the_signed_json_still_gives_the_newest_reviews(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    site_server.add(ORG, page("yandex_maps", "org_reviews_embedded.html"))
    site_server.add(FETCH, b"<html><body>Forbidden</body></html>", status=403)

    result = await _yandex(site_server, fetcher).poll(PollState())

    first, second = result.items
    assert first.external_id == "eMbEdDeD0001AaBbCc" and first.rating == 3
    assert first.text == "Долго несли заказ, но извинились 🙏\nДесерт за счёт заведения."
    assert first.reply == "Ксения, спасибо, что дали нам шанс исправиться!"
    assert first.published_at == datetime(2026, 11, 30, 18, 42, 5, 118000, tzinfo=UTC)
    assert first.extra["author_level"] == "Знаток города 3 уровня"
    assert second.author == "Павел" and second.text == "" and second.reply is None
    assert result.site_total == 1284
    assert result.path is not None and result.path.startswith(
        "embedded state (fetchReviews failed:"
    )
    assert "HTTP 403" in result.path
    request = site_server.hits(FETCH)[0].query
    assert request["csrfToken"] == "c0ffee12ab34:1796000000"
    assert request["sessionId"] == "1796000000000_424242"
    assert request["reqId"] == "1796000000000-777-embedded"


async def test_yandex_keeps_the_page_tokens_between_polls(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    site_server.add(ORG, page("yandex_maps", "org_reviews_embedded.html"))
    site_server.add(FETCH, page("yandex_maps", "fetch_reviews_page1.json"), content_type=JSON)
    first = await _yandex(site_server, fetcher).poll(PollState(), backfill_limit=2)
    assert first.path == "API" and first.items[0].external_id == "Hk3Xq0fQ1yPmaW7vL0mZ5tJt2bTQnq9"
    await _yandex(site_server, fetcher).poll(first.state)
    assert len(site_server.hits(ORG)) == 1
    assert len(site_server.hits(FETCH)) >= 2


async def test_yandex_reads_the_page_again_when_kept_tokens_are_refused(
    site_server: SiteServer, fetcher: Fetcher
) -> None:
    site_server.add(ORG, page("yandex_maps", "org_reviews_embedded.html"))
    site_server.add(
        FETCH, page("yandex_maps", "fetch_reviews_page1.json"), content_type=JSON, times=1
    )
    first = await _yandex(site_server, fetcher).poll(PollState(), backfill_limit=2)
    # The kept session is refused from now on: the page is read again and its reviews used.
    site_server.add(FETCH, b"", status=403)
    again = await _yandex(site_server, fetcher).poll(first.state)
    assert len(site_server.hits(ORG)) == 2
    assert again.path is not None and again.path.startswith("embedded state")
    assert {i.external_id for i in again.items} == {"eMbEdDeD0001AaBbCc", "eMbEdDeD0002DdEeFf"}


async def test_the_source_history_says_which_path_is_in_use(
    tmp_path, site_server: SiteServer, capsys
) -> None:  # type: ignore[no-untyped-def]
    from otklik.commands.scan import print_summary
    from otklik.commands.sources import show
    from tests.core.test_loop import scan, settings_for

    site_server.add(ORG, page("yandex_maps", "org_reviews_embedded.html"))
    site_server.add(FETCH, b"", status=403)
    config = tmp_path / "otklik.toml"
    config.write_text(
        '[[brands]]\nname = "Кофемания"\nowners = [1]\n[[brands.sources]]\n'
        f'kind = "yandex_maps"\nurl = "{site_server.url("/maps/org/kofemaniya/1124715036/")}"\n',
        encoding="utf-8",
    )
    settings = settings_for(tmp_path, config)
    [report] = await scan(settings)
    assert report.error is None and len(report.new_mentions) == 2
    assert report.path is not None and report.path.startswith("embedded state")
    print_summary([report])
    assert "read via embedded state (fetchReviews failed: HTTP 403" in capsys.readouterr().out
    await scan(settings)  # the same path again: recorded once
    capsys.readouterr()
    await show(settings)
    out = capsys.readouterr().out
    assert "reads via: embedded state (fetchReviews failed: HTTP 403" in out
    assert out.count("reads via:") == 1
