"""The brands file: a good one loads, a wrong one is refused naming file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.errors import ConfigError
from otklik.config import load_config, parse_duration
from otklik.settings import load_settings
from scrapers import registry

GOOD = """
[[brands]]
name = "Кофемания"
aliases = ["Кофемания", "Coffeemania", " "]
owners = [123456789]
alert_on = "all"

[[brands.sources]]
kind = "rss"
url = "https://news.example.com/feed.xml"
interval = "10m"
lang = "ru"

[[brands]]
name = "Шоколадница"

[[brands.sources]]
url = "https://other.example.com/feed.xml"
interval = 90
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "otklik.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_config_loads_with_durations_options_and_detected_kinds(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD), detect_kind=lambda url: "rss", known_kinds=["rss"])
    first, second = config.brands
    assert first.all_aliases == ("Кофемания", "Coffeemania")
    assert first.owners == [123456789] and first.alert_on == "all"
    assert first.sources[0].interval == 600 and first.sources[0].options == {"lang": "ru"}
    assert second.sources[0].kind == "rss" and second.sources[0].interval == 90


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (
            'interval = "10m"',
            r"line 11: brands\[0\]\.sources\[0\]\.interval: .*'soon' is not a duration",
        ),
        (
            'alert_on = "all"',
            r"line 6: brands\[0\]\.alert_on: Input should be 'negative', 'all' or 'none'",
        ),
        ("owners = [123456789]", r"line 5: brands\[0\]\.owners\[0\]: .*integer"),
        (
            'url = "https://other.example.com/feed.xml"',
            r"line 18: brands\[1\]\.sources\[0\]\.url: .*not an http",
        ),
    ],
)
def test_wrong_values_name_file_line_and_key(tmp_path: Path, broken: str, expected: str) -> None:
    replacement = {
        'interval = "10m"': 'interval = "soon"',
        'alert_on = "all"': 'alert_on = "sometimes"',
        "owners = [123456789]": 'owners = ["@me"]',
        'url = "https://other.example.com/feed.xml"': 'url = "ftp://other.example.com/feed.xml"',
    }[broken]
    path = write(tmp_path, GOOD.replace(broken, replacement))
    with pytest.raises(ConfigError, match=expected) as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_syntax_errors_unknown_keys_kinds_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"not valid TOML.*line 2"):
        load_config(write(tmp_path, "[[brands]]\nname = x\n"))
    with pytest.raises(ConfigError, match=r"line 3: brands\[0\]\.colour: Extra inputs"):
        load_config(write(tmp_path, '[[brands]]\nname = "x"\ncolour = "red"\n'))
    with pytest.raises(
        ConfigError, match=r"line 9: .*unknown source kind 'rss'; known kinds: yandex"
    ):
        load_config(write(tmp_path, GOOD), known_kinds=["yandex"])
    with pytest.raises(ConfigError, match=r"cannot tell the source kind"):
        load_config(write(tmp_path, GOOD), detect_kind=lambda url: None)
    with pytest.raises(ConfigError, match="no such file; `otklik init` writes an example"):
        load_config(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="listed twice"):
        load_config(write(tmp_path, '[[brands]]\nname = "X"\n[[brands]]\nname = "x"\n'))


def test_durations() -> None:
    assert [parse_duration(v) for v in ("30s", "10m", "1h", "1d", 45, "2.5m")] == [
        30,
        600,
        3600,
        86400,
        45,
        150,
    ]
    for bad in ("0", "-5m", "soon", True):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_bad_settings_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTKLIK_BOT_TOKEN", "changeme")
    with pytest.raises(ConfigError, match="OTKLIK_BOT_TOKEN: .*@BotFather"):
        load_settings()
    monkeypatch.setenv("OTKLIK_BOT_TOKEN", "")
    monkeypatch.setenv("OTKLIK_MAX_CONCURRENT_POLLS", "0")
    with pytest.raises(ConfigError, match="OTKLIK_MAX_CONCURRENT_POLLS"):
        load_settings()


def test_a_source_whose_options_cannot_work_is_refused_at_load(tmp_path: Path) -> None:
    text = GOOD.replace('kind = "rss"', 'kind = "google_maps"').replace(
        "https://news.example.com/feed.xml", "https://www.google.com/maps/place/Kofemania"
    )
    with pytest.raises(
        ConfigError,
        match=r"line 8: brands\[0\]\.sources\[0\]: google_maps .*option api_key is missing",
    ):
        load_config(
            write(tmp_path, text),
            detect_kind=registry.detect,
            known_kinds=registry.kinds(),
            check_source=registry.check,
        )
