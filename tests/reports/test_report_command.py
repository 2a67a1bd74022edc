"""`otklik report` writes the document, the chart and the mentions CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncEngine

from otklik.cli import main
from otklik.commands.report import load_report, write_report
from storage.db import make_sessionmaker
from tests.reports.factories import NOW, build_week


@pytest.fixture
async def week_db(sqlite_engine: AsyncEngine) -> str:
    async with make_sessionmaker(sqlite_engine)() as session, session.begin():
        await build_week(session)
    return sqlite_engine.url.render_as_string(hide_password=False)


async def test_report_files_for_a_month(week_db: str, tmp_path: Path) -> None:
    figures, sources = await load_report(week_db, "кофемания <&>", "2026-10", NOW)
    files = write_report(figures, sources, fmt="html", lang="en", out=tmp_path / "out")
    assert files.document.name == "кофемания-2026-10-01_2026-10-31.html"
    document = files.document.read_text(encoding="utf-8")
    assert "Oct 1–31, 2026" in document
    assert f'<img src="{files.chart.name}"' in document
    with Image.open(files.chart) as image:
        assert image.format == "PNG" and image.size == (1200, 600)
    rows = list(csv.DictReader(io.StringIO(files.mentions.read_text(encoding="utf-8-sig"))))
    # October: the ten mentions of the week, the previous week's Oct 1-4 ones, and Oct 12's.
    assert len(rows) == files.mention_count == len(figures.mentions) == 13
    assert {row["source"] for row in rows} == {"yandex_maps", "twogis", "otzovik"}


def test_cli_writes_markdown_and_refuses_an_unknown_brand(
    week_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OTKLIK_DATABASE_URL", week_db)
    assert main(["report", "--brand", "Кофемания <&>", "--period", "2026-10", "--out", "r"]) == 0
    written = sorted(path.name for path in (tmp_path / "r").iterdir())
    stem = "кофемания-2026-10-01_2026-10-31"
    assert written == [f"{stem}-mentions.csv", f"{stem}.md", f"{stem}.png"]
    markdown = (tmp_path / "r" / f"{stem}.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Кофемания \\<&\\> — Отчёт о репутации, 1–31 октября 2026")
    assert f"({stem}.png)" in markdown

    assert main(["report", "--brand", "Нет такого"]) == 2
    assert "no brand named 'Нет такого'; known: Кофемания <&>" in capsys.readouterr().err
    assert main(["report", "--brand", "Кофемания <&>", "--period", "week"]) == 2
    assert "use 7d, 30d or a month like 2026-10" in capsys.readouterr().err
