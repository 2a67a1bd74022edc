"""The demo's script: history first, then new reviews, alerts, a case taken, /cases and the digest,
all through the real pipeline, outbox sender and bot; only the sites and Telegram are stand-ins."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot.delivery import TelegramNotifier
from bot.factory import create_bot
from bot.setup import build_dispatcher
from otklik.app import open_runtime
from otklik.console import describe
from otklik.demo.site import APP_ID, BRANCH_ID, SampleSite
from otklik.demo.telegram import ConsoleTelegram, Shown
from otklik.pipeline import PollReport
from otklik.scheduler import Scheduler
from otklik.sender import Sender
from otklik.settings import Settings

OWNER_CHAT = 100200300
BRAND = "Кофемания"


@dataclass(frozen=True, slots=True)
class DemoResult:
    cases: tuple[int, ...]
    digest_png: Path | None


def write_config(path: Path, site: SampleSite) -> None:
    path.write_text(
        f"""[[brands]]
name = "{BRAND}"
aliases = ["Coffeemania"]
owners = [{OWNER_CHAT}]
alert_on = "negative"
timezone = "Europe/Moscow"
response_time = "1h"
work_hours = "00:00-00:00"

[[brands.sources]]
url = "https://2gis.ru/moscow/firm/{BRANCH_ID}"
key = "demo"
api_base = "{site.base}"

[[brands.sources]]
url = "https://apps.apple.com/ru/app/kofemaniya/id{APP_ID}"
api_base = "{site.base}"

[[brands.sources]]
kind = "rss"
url = "{site.base}/news.xml"
""",
        encoding="utf-8",
    )


def demo_settings(workdir: Path, telegram: ConsoleTelegram) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{workdir / 'otklik-demo.db'}",
        config=workdir / "otklik-demo.toml",
        bot_token=telegram.token,  # type: ignore[arg-type]
        telegram_api_url=telegram.api_url,
        http_timeout=5,
        http_retries=0,
        http_per_host_rate=100,
        http_per_host_concurrency=4,
        _env_file=None,  # type: ignore[call-arg]
    )


class Narrator:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._step = 0

    def step(self, title: str) -> None:
        self._step += 1
        print(f"\n━━ {self._step}. {title}", file=self.out, flush=True)

    def say(self, text: str) -> None:
        print(f"  {text}", file=self.out, flush=True)


async def run_demo(workdir: Path, out: TextIO, *, language: str = "ru") -> DemoResult:
    narrator = Narrator(out)
    site = SampleSite()
    telegram = ConsoleTelegram(OWNER_CHAT, out, workdir, language=language)
    await site.start()
    await telegram.start()
    try:
        write_config(workdir / "otklik-demo.toml", site)
        settings = demo_settings(workdir, telegram)
        async with open_runtime(settings) as runtime:
            scheduler = Scheduler(runtime.sessionmaker, runtime.pipeline)

            narrator.step(
                f"The owner of «{BRAND}» connects a 2GIS card, an App Store app and a news feed"
            )
            for report in await scheduler.poll_all():
                count = len(report.new_mentions)
                narrator.say(
                    f"{_name(report)}: {count} earlier mention{'s' if count != 1 else ''} stored "
                    "as history (a first poll never floods the chat with alerts)"
                )

            narrator.step(
                "New reviews appear on the sites; the next poll finds and classifies them"
            )
            site.publish()
            reports = await scheduler.poll_all()
            for report in reports:
                for mention in report.new_mentions:
                    narrator.say(describe(mention, width=110))
            cases = sum(report.cases_opened for report in reports)
            narrator.say(f"→ {cases} negative reviews opened cases with a response deadline")

            bot = create_bot(telegram.token, telegram.api_url)
            dispatcher = build_dispatcher(sessionmaker=runtime.sessionmaker)
            polling = asyncio.create_task(
                dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False)
            )
            try:
                if language != "ru":
                    await _owner_types(telegram, f"/lang {language}")

                narrator.step("The alerts arrive in the owner's Telegram chat")
                sender = Sender(runtime.sessionmaker, TelegramNotifier(bot, runtime.sessionmaker))
                await sender.drain_once()
                alerts = [shown for shown in telegram.shown.values() if _take_button(shown)]
                case_ids = tuple(_case_id(shown) for shown in alerts)

                narrator.step("The owner takes the first case and lists the open ones")
                take = _take_button(alerts[0]) if alerts else None
                if take is not None:
                    before = telegram.shows
                    telegram.press(alerts[0], take)
                    await telegram.wait_for(lambda: telegram.shows > before)
                draft = _button(alerts[0], "c:draft:") if alerts else None
                if draft is not None:
                    narrator.step("A reply draft for the case, ready to send, edit or regenerate")
                    before = telegram.shows
                    telegram.press(alerts[0], draft)
                    await telegram.wait_for(lambda: telegram.shows > before)
                await _owner_types(telegram, "/cases")

                narrator.step("The weekly digest (sent every Monday; /digest asks for it now)")
                telegram.type("/digest")
                photo: Path = await telegram.wait_for(
                    lambda: next((s.photo for s in telegram.shown.values() if s.photo), None),
                    deadline=60,
                )
            finally:
                with contextlib.suppress(RuntimeError):
                    await dispatcher.stop_polling()
                await asyncio.gather(polling, return_exceptions=True)
                await bot.session.close()
        return DemoResult(case_ids, photo)
    finally:
        await telegram.close()
        await site.close()


async def _owner_types(telegram: ConsoleTelegram, text: str) -> None:
    before = telegram.shows
    telegram.type(text)
    await telegram.wait_for(lambda: telegram.shows > before)


def _name(report: PollReport) -> str:
    return {"twogis": "2GIS", "appstore": "App Store", "rss": "News feed"}.get(
        report.source.kind, report.source.kind
    )


def _button(shown: Shown, prefix: str) -> dict[str, Any] | None:
    for row in shown.buttons:
        for button in row:
            if str(button.get("callback_data", "")).startswith(prefix):
                return button
    return None


def _take_button(shown: Shown) -> dict[str, Any] | None:
    return _button(shown, "c:take:")


def _case_id(alert: Shown) -> int:
    take = _take_button(alert)
    assert take is not None
    return int(str(take["callback_data"]).split(":")[2])
