"""Start-up: values out of range are refused with the key and the reason, and a database that
is not up yet is waited for with one line per retry instead of a traceback."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from common.errors import ConfigError
from otklik.app import prepare_database
from otklik.config import load_config
from otklik.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path, brand: str = "", source: str = "") -> Path:
    path = tmp_path / "otklik.toml"
    path.write_text(
        f'[[brands]]\nname = "Кофемания"\n{brand}\n'
        f'[[brands.sources]]\nurl = "https://example.com/feed.xml"\n{source}\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("brand", "source", "problem"),
    [
        ("owners = [99999999999999999999]", "", r"line 3: brands\[0\]\.owners\[0\]: .*not a Telegram chat id"),
        ("owners = [0]", "", "not a Telegram chat id"),
        ("", 'interval = "0.5s"', r"line 6: brands\[0\]\.sources\[0\]\.interval: .*at least 1 second"),
        ("", "interval = 0", "at least 1 second"),
        ("", 'interval = "30d"', "at most 7 days"),
        ('response_time = "20s"', "", r"brands\[0\]\.response_time: .*at least 1 minute"),
        ("", 'url = "http://user:pw@intranet/feed"', "user name or password"),
    ],
)  # fmt: skip
def test_values_out_of_range_are_refused_with_the_key(
    tmp_path: Path, brand: str, source: str, problem: str
) -> None:
    path = _config(tmp_path, brand, source)
    if source.startswith("url"):  # replaces the source's URL
        text = path.read_text(encoding="utf-8").replace(
            'url = "https://example.com/feed.xml"\n', ""
        )
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=problem):
        load_config(path)


def test_good_ranges_pass(tmp_path: Path) -> None:
    config = load_config(
        _config(tmp_path, "owners = [123456789, -1001234567890]", 'interval = "1s"')
    )
    assert config.brands[0].owners == [123456789, -1001234567890]
    assert config.brands[0].sources[0].interval == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _forward(port: int, target_host: str, target_port: int) -> asyncio.Server:
    """A TCP relay to the real server: the database 'comes up' when it starts."""

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(target_host, target_port)
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    return await asyncio.start_server(relay, "127.0.0.1", port)


async def test_start_waits_for_a_database_that_comes_up_late(
    postgres_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    real = make_url(postgres_url)
    port = _free_port()
    late = real.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    settings = Settings(
        database_url=late,
        config=tmp_path / "x.toml",
        database_wait=60,
        _env_file=None,  # type: ignore[call-arg]
    )
    caplog.set_level(logging.WARNING, logger="otklik.app")
    starting = asyncio.create_task(prepare_database(settings))
    while not caplog.records:  # noqa: ASYNC110 — the first refusal is logged
        assert not starting.done()
        await asyncio.sleep(0.05)
    relay = await _forward(port, real.host or "127.0.0.1", real.port or 5432)
    try:
        engine = await asyncio.wait_for(starting, 30)
        await engine.dispose()
    finally:
        relay.close()
    lines = [r.getMessage() for r in caplog.records]
    assert all(line.startswith("database postgresql+asyncpg://") for line in lines)
    assert "not reachable" in lines[0] and "retrying in" in lines[0]
    assert all("\n" not in line for line in lines)


async def test_a_database_that_never_comes_is_one_clear_line(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "OTKLIK_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:{port}/otklik",
        "OTKLIK_DATABASE_WAIT": "1.5",
        "OTKLIK_CONFIG": str(tmp_path / "otklik.toml"),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "otklik", "init",
        env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(process.communicate(), 60)
    lines = err.decode().strip().splitlines()
    assert process.returncode == 2
    assert "Traceback" not in err.decode() and len(lines) <= 4
    assert lines[-1].startswith(
        f"otklik: cannot reach the database postgresql+asyncpg://postgres@127.0.0.1:{port}"
    )
    assert all("retrying in" in line for line in lines[:-1])
