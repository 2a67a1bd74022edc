"""`otklik status` and the per-site capacity it reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.errors import ConfigError
from otklik.app import fetch_settings_of
from otklik.commands.status import show
from otklik.settings import Settings, load_settings
from scrapers.capacity import Politeness, deployment_loads, host_loads
from scrapers.records import SourceSpec
from tests.core.test_loop import write_config


def test_a_host_asked_for_more_than_its_budget_gets_a_longer_real_interval() -> None:
    # The case: 1,000 sources on 10 hosts every 60 s, 1 request/s per host.
    sources = [(f"https://site{n % 10}.example/feed/{n}", 60.0) for n in range(1000)]
    loads = host_loads(sources, Politeness(1.0))
    assert len(loads) == 10 and all(load.over for load in loads)
    assert round(sum(load.demand for load in loads), 1) == 16.7
    assert round(loads[0].effective_interval) == 100 and loads[0].rate_needed == 1.7
    roomy = host_loads(sources, Politeness(2.0, {"site3.example": 1.0}))
    assert [load.host for load in roomy if load.over] == ["site3.example"]
    assert roomy[-1].effective_interval == 60


def test_sources_are_counted_on_the_host_their_polls_request() -> None:
    """2GIS and Flamp pages are read through one API host and share its budget; a Google
    Maps place is read through the Places API, a Yandex Maps card on its own site."""
    polls = [
        *((SourceSpec("twogis", f"https://2gis.ru/moscow/firm/7000000{n:04d}"), 60.0) for n in range(40)),
        *((SourceSpec("flamp", f"https://moscow.flamp.ru/firm/kofe-7000001{n:04d}"), 60.0) for n in range(40)),
        (SourceSpec("google_maps", "https://www.google.com/maps/place/Kofe"), 60.0),
        (SourceSpec("yandex_maps", "https://yandex.ru/maps/org/kofe/1234567/reviews/"), 60.0),
    ]  # fmt: skip
    loads = {load.host: load for load in deployment_loads(polls, Politeness())}
    assert set(loads) == {"public-api.reviews.2gis.com", "places.googleapis.com", "yandex.ru"}
    shared = loads["public-api.reviews.2gis.com"]
    assert shared.sources == 80 and shared.over  # 1.3 polls/s against 1/s
    assert not loads["yandex.ru"].over


async def test_status_names_the_overloaded_site_and_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = [f"https://feeds.example/{n}.xml" for n in range(3)]
    config = write_config(tmp_path / "otklik.toml", urls, [1])
    config.write_text(config.read_text().replace('"1m"', '"1s"'), encoding="utf-8")
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'otklik.db'}",
        config=config,
        _env_file=None,  # type: ignore[call-arg]
    )
    assert await show(settings) == 0
    out = capsys.readouterr().out
    assert "oldest due poll: none waiting" in out and "oldest unsent alert: none waiting" in out
    assert "sites: 1, over their politeness budget: 1" in out
    assert (
        "feeds.example: 3 sources ask for 3.0 polls/s, politeness allows 1/s, so each is polled "
        "about every 3 s instead of 1 s. Fix: OTKLIK_HTTP_HOST_RATES='{\"feeds.example\": 3.0}' "
        "if the site allows it" in out
    )
    # The owner of feeds.example allows more: its own rate covers the three.
    roomy = settings.model_copy(update={"http_host_rates": {"feeds.example": 5}})
    assert await show(roomy) == 0
    assert "sites: 1, over their politeness budget: 0" in capsys.readouterr().out


def test_a_sites_own_rate_comes_from_the_environment_and_is_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OTKLIK_HTTP_HOST_RATES", '{"Yandex.RU": 2, "2gis.ru": 0}')
    settings = load_settings(_env_file=None)
    assert settings.http_host_rates == {"yandex.ru": 2.0, "2gis.ru": 0.0}
    assert settings.politeness.budget("yandex.ru") == 2 and settings.politeness.budget("x.org") == 1
    assert fetch_settings_of(settings).host_rate_overrides == {"yandex.ru": 2.0, "2gis.ru": 0.0}
    for bad, says in [
        ('{"https://yandex.ru": 2}', "not a host name"),
        ('{"yandex.ru": -1}', "0 or more"),
        ('{"yandex.ru": "fast"}', "OTKLIK_HTTP_HOST_RATES"),
        ("yandex.ru:2", "OTKLIK_HTTP_HOST_RATES: not valid JSON"),
    ]:
        monkeypatch.setenv("OTKLIK_HTTP_HOST_RATES", bad)
        with pytest.raises(ConfigError, match=says):
            load_settings(_env_file=None)
