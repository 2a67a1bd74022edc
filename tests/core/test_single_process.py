"""SQLite serves one process: a second `otklik run` (or `scan`) on the same file refuses to
start with a message that says why and what to do; after the first one dies, even by SIGKILL,
the next one starts."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.core.test_loop import write_config


def _env(tmp_path: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("OTKLIK_")
        or key in ("OTKLIK_TEST_POSTGRES_URL", "OTKLIK_ALLOW_PRIVATE_ADDRESSES")
    }
    return {
        **env,
        "OTKLIK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'otklik.db'}",
        "OTKLIK_CONFIG": str(write_config(tmp_path / "otklik.toml", [], [1])),
        "OTKLIK_SENTIMENT_MODEL": "keywords",
    }


async def _otklik(tmp_path: Path, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "otklik",
        *args,
        env=_env(tmp_path),
        cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def _until_running(process: asyncio.subprocess.Process) -> None:
    assert process.stderr is not None
    while True:
        line = await asyncio.wait_for(process.stderr.readline(), 60)
        assert line, "otklik run exited before it was running"
        if b"otklik is running" in line:
            return


async def test_a_second_process_on_the_same_sqlite_file_refuses_to_start(tmp_path: Path) -> None:
    first = await _otklik(tmp_path, "run")
    try:
        await _until_running(first)
        for command in ("run", "scan"):
            second = await _otklik(tmp_path, command)
            _, err = await asyncio.wait_for(second.communicate(), 60)
            assert second.returncode == 2
            message = err.decode()
            assert f"already used by another otklik process (pid {first.pid})" in message
            assert "PostgreSQL" in message
        assert first.returncode is None  # the first one is untouched
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()

    # The kernel dropped the dead process's lock: the next one starts normally.
    scan = await _otklik(tmp_path, "scan")
    _, err = await asyncio.wait_for(scan.communicate(), 60)
    assert scan.returncode == 0, err.decode()
