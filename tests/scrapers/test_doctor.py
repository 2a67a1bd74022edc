"""`otklik doctor URL` against the local site server: what the owner reads in the terminal."""

from __future__ import annotations

import asyncio

import pytest

from otklik.cli import main
from tests.fakes.site_server import SiteServer
from tests.scrapers.conftest import page

BRANCH = "70000001006794419"


async def _doctor(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    # main() runs its own event loop; the site server keeps serving on this one.
    code = await asyncio.to_thread(main, ["doctor", *argv])
    return code, capsys.readouterr().out


@pytest.fixture(autouse=True)
def _quick_fetch(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "HTTP_TIMEOUT": "2",
        "HTTP_RETRIES": "0",
        "HTTP_PER_HOST_RATE": "1000",
    }.items():
        monkeypatch.setenv(f"OTKLIK_{name}", value)


async def test_a_working_source_in_plain_words(
    site_server: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    site_server.add(f"/moscow/firm/{BRANCH}", page("twogis", "firm_page.html"))
    first = (
        page("twogis", "branch_reviews_page1.json").decode().replace("{BASE}", site_server.origin)
    )
    site_server.add(f"/2.0/branches/{BRANCH}/reviews", first, content_type="application/json")

    code, out = await _doctor(
        [site_server.url(f"/moscow/firm/{BRANCH}"), "--kind", "twogis", "--records", "2"], capsys
    )

    assert code == 0
    assert "Kind:       2GIS (kind twogis)" in out
    assert "Result:     works — 2 record(s) read on a first poll" in out
    assert "Path:       API, key read from the site's page" in out
    assert "Site says:  5 reviews in all" in out
    assert "Anti-bot:   no sign of one" in out
    assert "1. ★★★★★ · 2026-03-14 12:22 UTC · Марина К." in out
    assert "Зашли с дочкой после кино 🎬🍰 Чизкейк отличный, кофе горячий." in out
    assert "↳ reply: Марина, спасибо за тёплый отзыв! Передадим Анне 🙂" in out


async def test_the_embedded_state_path_and_its_reason(
    site_server: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    site_server.add(
        "/maps/org/kofemaniya/1124715036/reviews/", page("yandex_maps", "org_reviews_embedded.html")
    )
    site_server.add("/maps/api/business/fetchReviews", b"", status=403)
    code, out = await _doctor(
        [site_server.url("/maps/org/kofemaniya/1124715036/"), "--kind", "yandex_maps"], capsys
    )
    assert code == 0
    assert "Path:       embedded state (fetchReviews failed: HTTP 403" in out
    assert "Site says:  1284 reviews in all" in out
    assert "↳ reply: Ксения, спасибо, что дали нам шанс исправиться!" in out


async def test_a_captcha_wall_is_named(
    site_server: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    site_server.add(
        "/maps/org/kofemaniya/1124715036/reviews/", page("yandex_maps", "showcaptcha.html")
    )
    code, out = await _doctor(
        [site_server.url("/maps/org/kofemaniya/1124715036/"), "--kind", "yandex_maps"], capsys
    )
    assert code == 1
    assert "Result:     NOT WORKING — the site answered with an anti-bot page" in out
    assert "Anti-bot:   Yandex SmartCaptcha instead of content" in out


async def test_a_page_without_reviews_is_called_so(
    site_server: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    site_server.add(
        "/spb/medical/",
        "<html><head><title>Zoon</title></head><body><ul>"
        + '<li class="minicard-item">Поликлиника №1</li>' * 3
        + "</ul></body></html>",
    )
    code, out = await _doctor([site_server.url("/spb/medical/"), "--kind", "zoon"], capsys)
    assert code == 1
    assert "NOT WORKING — this URL is not a reviews page: this is a Zoon catalog page" in out


async def test_an_unknown_url_names_the_known_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    code = await asyncio.to_thread(main, ["doctor", "https://example.com/about"])
    assert code == 2
    assert "no source kind recognises" in capsys.readouterr().err
