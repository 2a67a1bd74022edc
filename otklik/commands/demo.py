"""`otklik demo`: the whole loop offline in under a minute — reviews, alerts, a case, the digest."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from otklik.demo.run import run_demo
from otklik.logs import setup_logging

NEXT_STEPS = """
Next, for your own brand:
  otklik init              # creates the database and an example otklik.toml
  (edit otklik.toml: your brand, its aliases, your Telegram id, your pages' URLs)
  otklik scan              # one pass over your sources, printed here
  OTKLIK_BOT_TOKEN=123456:ABC... otklik run   # the service, with alerts in Telegram"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "demo", help="see the whole loop work offline: reviews → alerts → cases → digest"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the demo's database, config and digest picture in ./otklik-demo/",
    )
    parser.add_argument("--lang", choices=("ru", "en"), default="ru", help="the bot's language")
    parser.add_argument("--verbose", action="store_true", help="show the service's log")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    setup_logging("INFO" if args.verbose else "CRITICAL")
    out = sys.stdout
    print(
        "Otklik demo: a sample site and a stand-in for Telegram run on this machine (127.0.0.1 "
        "only);\nthe real pipeline, database, outbox and bot do the rest.",
        file=out,
    )
    if args.keep:
        workdir = Path("otklik-demo").resolve()
        workdir.mkdir(exist_ok=True)
        for old in workdir.glob("otklik-demo*"):
            old.unlink()
        result = asyncio.run(run_demo(workdir, out, language=args.lang))
        kept = f"Kept in {workdir}: otklik-demo.db (SQLite), otklik-demo.toml, the digest picture."
    else:
        with tempfile.TemporaryDirectory(prefix="otklik-demo-") as tmp:
            result = asyncio.run(run_demo(Path(tmp), out, language=args.lang))
        kept = "Nothing was left behind; `otklik demo --keep` keeps the database and the picture."
    cases = ", ".join(f"#{case}" for case in result.cases) or "none"
    print("\n━━ Summary", file=out)
    print(f"  cases opened: {cases}", file=out)
    if args.keep and result.digest_png is not None:
        print(f"  digest chart: {result.digest_png}", file=out)
    print(f"  {kept}", file=out)
    print(NEXT_STEPS, file=out)
    return 0
