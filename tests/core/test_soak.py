"""The soak in short (bench/soak.py has the long one): a PostgreSQL deployment of worker, bot
and jobs processes polling local feeds while workers are killed with SIGKILL and restarted."""

from __future__ import annotations

from tests.bench_run import run_bench
from tests.conftest import POSTGRES_URL


async def test_killed_workers_lose_nothing_and_repeat_nothing(postgres_url: str) -> None:
    del postgres_url  # the fixture only proves a server answers; the soak makes its own database
    figures, report = await run_bench(
        "soak.py",
        *("--sources", "20", "--duration", "25", "--workers", "2", "--kill-every", "8"),
        *("--interval", "5", "--rate", "0.5", "--postgres", POSTGRES_URL),
        within=900,
    )
    assert figures["kills"] >= 2 and figures["negatives"] > 0
    assert figures["missing"] == 0, report[-1500:]
    # An alert is repeated only where the Bot API leaves no way to prevent it: a worker killed
    # between Telegram taking the alert and recording it (milliseconds).
    repeated = figures["duplicated"]
    assert repeated == figures["duplicated_by_a_kill_in_the_round_trip"], report[-1500:]
    assert figures["alerted_once"] + repeated == figures["negatives"]
    assert figures["concurrent_polls_of_one_source"] == 0
    # The README's guarantee: a kill during Telegram's round trip may re-send that one message.
    assert figures["messages_sent_twice"] <= figures["kills"]
    assert figures["digest_runs"] == figures["digests_sent"] == 1
