"""`otklik classify` end to end through the real command-line entry point."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from otklik.cli import main


def run_classify(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    assert main(["classify", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_classify_file_of_plain_and_json_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.txt"
    source.write_text(
        "Ужасное обслуживание, официант нахамил\n"
        '{"text": "Всё очень вкусно, спасибо!", "rating": 1, "brand": "Кафе"}\n'
        '{"text": "broken json"\n'
        "\n",
        encoding="utf-8",
    )
    out = run_classify(capsys, str(source))
    assert len(out) == 4  # one answer per line in, nothing dropped
    assert out[0]["label"] == "negative"
    assert {"tag": "staff", "polarity": "negative"} in out[0]["touchpoints"]
    assert (out[1]["label"], out[1]["needs_review"]) == ("negative", True)
    assert set(out[2]["scores"]) == {"positive", "neutral", "negative"}


def test_classify_stdin_with_keywords(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Great, thanks!\nTerrible and slow\n"))
    out = run_classify(capsys, "--model", "keywords")
    assert [o["label"] for o in out] == ["positive", "negative"]


def test_missing_file_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "/nonexistent/in.txt"]) == 2
    assert "cannot read /nonexistent/in.txt" in capsys.readouterr().err
