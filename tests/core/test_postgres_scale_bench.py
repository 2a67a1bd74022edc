"""bench/postgres_scale.py in small: it must keep running as the queries it measures change."""

from __future__ import annotations

from tests.bench_run import run_bench
from tests.conftest import POSTGRES_URL


async def test_the_scale_bench_runs_and_reports_its_figures(postgres_url: str) -> None:
    del postgres_url  # the fixture only proves a server answers; the bench makes its own database
    figures, _ = await run_bench(
        "postgres_scale.py",
        *("--fill", "20000", "--polls", "2", "--batch", "100", "--postgres", POSTGRES_URL),
        within=600,
    )
    assert figures["cases"] > 3000
    for key in (
        "lookup_ms_20000",
        "ingest_per_s_20000",
        "stats_ms",
        "stats_branches_ms",
        "digest_ms",
    ):
        assert figures[key] > 0, key
    assert "digest_loop_stall_ms" in figures and "stats_loop_stall_ms" in figures
