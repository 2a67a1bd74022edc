"""`otklik scan` as a person reads it: decoded short URLs, one plain line per failing source."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from otklik.commands.scan import scan
from otklik.console import short_url
from tests.core.test_loop import settings_for
from tests.fakes.site_server import SiteServer


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_short_url_is_decoded_and_cut() -> None:
    url = "https://news.google.com/rss/search?q=%D0%9A%D0%BE%D1%84%D0%B5%D0%BC%D0%B0%D0%BD%D0%B8%D1%8F&hl=ru"
    assert short_url(url) == "news.google.com/rss/search?q=Кофемания&hl=ru"
    assert (
        short_url("https://www.example.com/" + "a" * 100, width=30)
        == "example.com/" + "a" * 17 + "…"
    )


@pytest.mark.parametrize("verbose", [False, True])
async def test_failing_sources_get_one_plain_line_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], verbose: bool
) -> None:
    site = SiteServer()
    await site.start()
    site.add("/down.xml", b"down", status=503)
    urls = [
        site.url("/down.xml"),
        f"http://127.0.0.1:{closed_port()}/feed.xml",
        "http://no-such-host.invalid/%D0%BB%D0%B5%D0%BD%D1%82%D0%B0.xml",
    ]
    sources = "".join(f'\n[[brands.sources]]\nkind = "rss"\nurl = "{url}"\n' for url in urls)
    config = tmp_path / "otklik.toml"
    config.write_text(f'[[brands]]\nname = "Кофемания"\n{sources}', encoding="utf-8")
    try:
        assert await scan(settings_for(tmp_path, config), verbose=verbose) == 0
    finally:
        await site.close()

    summary = capsys.readouterr().out.split("source summary:")[1].strip().splitlines()
    assert len(summary) == 3
    by_host = {line.split(" rss ")[1].split("/")[0]: line for line in summary}
    port = urls[0].split(":")[2].split("/")[0]
    assert "failed: " in by_host[f"127.0.0.1:{port}"]
    assert "site answered HTTP 503 (after 2 tries)" in by_host[f"127.0.0.1:{port}"]
    refused = next(
        line
        for key, line in by_host.items()
        if key.startswith("127.0.0.1") and key != f"127.0.0.1:{port}"
    )
    assert "cannot connect to 127.0.0.1" in refused
    dns = by_host["no-such-host.invalid"]
    assert "no-such-host.invalid/лента.xml" in dns
    assert "cannot resolve no-such-host.invalid: no internet connection, or no such site" in dns
    assert ("ClientConnectorDNSError: " in dns) is verbose
    assert ("Error: " in "\n".join(summary)) is verbose
