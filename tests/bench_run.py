"""Runs a bench script as a user would and reads the figures from its last line."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


async def run_bench(script: str, *args: str, within: float) -> tuple[dict[str, Any], str]:
    """(figures, whole report) of `python bench/<script> args`; fails with the report's tail
    when the bench does not end well."""
    bench = await asyncio.create_subprocess_exec(
        sys.executable,
        str(REPO / "bench" / script),
        *args,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(bench.communicate(), within)
    report = out.decode(errors="replace")
    assert bench.returncode == 0, report[-3000:]
    return json.loads(report.strip().splitlines()[-1]), report
