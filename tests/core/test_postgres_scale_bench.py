"""bench/postgres_scale.py in small: it must keep running as the queries it measures change."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from tests.conftest import POSTGRES_URL

REPO = Path(__file__).resolve().parents[2]


async def test_the_scale_bench_runs_and_reports_its_figures(postgres_url: str) -> None:
    del postgres_url  # the fixture only proves a server answers; the bench makes its own database
    bench = await asyncio.create_subprocess_exec(
        sys.executable,
        str(REPO / "bench" / "postgres_scale.py"),
        *("--fill", "20000", "--polls", "2", "--batch", "100", "--postgres", POSTGRES_URL),
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(bench.communicate(), 600)
    report = out.decode(errors="replace")
    assert bench.returncode == 0, report[-3000:]
    figures = json.loads(report.strip().splitlines()[-1])
    assert figures["cases"] > 3000
    for key in ("lookup_ms_20000", "ingest_per_s_20000", "stats_ms", "digest_ms"):
        assert figures[key] > 0, key
    assert "digest_loop_stall_ms" in figures and "stats_loop_stall_ms" in figures
