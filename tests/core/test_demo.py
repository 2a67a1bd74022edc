"""`otklik demo` as a newcomer runs it: a real process, loopback only, in an empty folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib.image

REPO = Path(__file__).resolve().parents[2]


def run_demo(cwd: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(cwd / "tmp")}
    (cwd / "tmp").mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "otklik", "demo", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_demo_shows_alert_case_and_digest_and_keeps_them_when_asked(tmp_path: Path) -> None:
    out = run_demo(tmp_path, "--keep", "--lang", "en")

    assert "stored as history" in out
    assert "[negative 1★] Кофемания · twogis · Ирина" in out
    assert "🔴 Negative review · Кофемания" in out
    assert "[ ✋ Take ] [ ✍️ Reply ]" in out
    taken = re.search(r"Case #(\d) taken by Owner", out)
    assert taken is not None and taken[1] in ("1", "2")
    assert f"Case #{taken[1]} · 🛠 in progress" in out
    assert f"📝 Reply draft for case #{taken[1]}" in out and "[ 📤 Send as is ]" in out
    assert "owner types: /cases" in out and "Open cases (2)" in out
    assert "cases opened: #1, #2" in out or "cases opened: #2, #1" in out
    chart = next(line for line in out.splitlines() if "digest chart:" in line).split(": ", 1)[1]
    picture = matplotlib.image.imread(chart)
    assert picture.shape[0] > 300 and picture.shape[1] > 300
    kept = {p.name for p in (tmp_path / "otklik-demo").iterdir()}
    assert {"otklik-demo.db", "otklik-demo.toml", Path(chart).name} <= kept


def test_demo_leaves_nothing_behind_by_default(tmp_path: Path) -> None:
    out = run_demo(tmp_path)

    assert "🔴 Негативный отзыв · Кофемания" in out
    assert "Nothing was left behind" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"]
    assert list((tmp_path / "tmp").iterdir()) == []
