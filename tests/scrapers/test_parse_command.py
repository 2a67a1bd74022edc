"""`otklik parse`: a saved file through the source's parser, a live URL, --detect, errors."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

from otklik.cli import main
from tests.fakes.site_server import SiteServer
from tests.scrapers.conftest import PAGES, page

ROOT = Path(__file__).resolve().parents[2]


def test_file_through_parser_prints_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["parse", "telegram", str(PAGES / "telegram" / "channel_page.html"), "--alias", "Кофемания"]
    )
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["external_id"] for r in lines] == ["coffee_review_msk/119", "coffee_review_msk/121"]
    assert lines[0] == {
        "external_id": "coffee_review_msk/119",
        "url": "https://t.me/coffee_review_msk/119",
        "author": "Анна",
        "rating": None,
        "title": None,
        "text": "В Кофемании на Кудринской ждали капучино 25 минут.\nБариста извинился, но осадочек остался.",
        "published_at": "2026-06-13T14:40:00+00:00",
        "reply": None,
        "extra": {"views": "1200"},
    }


def test_detect(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "--detect", "https://apps.apple.com/ru/app/x/id123"]) == 0
    assert capsys.readouterr().out.strip() == "appstore"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["parse", "--detect", "https://example.com/about"], "no source kind recognises"),
        (["parse", "nosuch", "file.html"], "unknown source kind 'nosuch'; known kinds: rss"),
        (["parse", "rss", "/nonexistent/feed.xml"], "cannot read /nonexistent/feed.xml"),
        (["parse", "telegram", str(PAGES / "telegram" / "no_preview.html")], "no channel preview"),
        (["parse", "appstore", str(PAGES / "telegram" / "channel_page.html")], "not the App Store"),
    ],
)
def test_errors_are_clear_with_exit_code_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


async def test_live_url_is_polled_through_the_fetcher(site_server: SiteServer) -> None:
    path = "/ru/rss/customerreviews/page={n}/id=1234567890/sortby=mostrecent/json"
    site_server.add(
        path.format(n=1), page("appstore", "reviews_page1.json"), content_type="application/json"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "otklik",
        "parse",
        "appstore",
        site_server.url("/ru/app/x/id1234567890"),
        "--limit",
        "2",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()
    records = [json.loads(line) for line in out.decode().splitlines()]
    assert [(r["external_id"], r["rating"], r["extra"]["version"]) for r in records] == [
        ("11223344556", 1.0, "5.12.0"),
        ("11223344550", 5.0, "5.12.0"),
    ]
