"""Reply settings from the brands file: approval, thanks, the brand's voice and template
overrides, validated at start and synced into the database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from common.errors import ConfigError
from otklik.app import open_database
from otklik.config import load_config
from otklik.settings import Settings
from storage.repositories import replies as replies_repo

CONFIG = """
[[brands]]
name = "Кофемания"
owners = [1001]
reply_approval = true
thanks_for_praise = true
thanks_delay = "45m"

[brands.replies]
signature = "Команда Кофемании"
tone = "На «вы», тепло"
rules = ["Не называть сотрудников по имени"]

[brands.replies.templates.ru]
"opening.negative" = ["Нам очень стыдно.", "Простите нас, {brand}."]

[brands.replies.templates.en.ack.staff]
negative = "We will talk to the team."
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "otklik.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_reply_settings_and_templates_are_read(tmp_path: Path) -> None:
    brand = load_config(write(tmp_path, CONFIG)).brands[0]
    assert (brand.reply_approval, brand.thanks_for_praise, brand.thanks_delay) == (True, True, 2700)
    assert brand.replies.overrides() == {
        ("ru", "opening.negative"): ("Нам очень стыдно.", "Простите нас, {brand}."),
        ("en", "ack.staff.negative"): ("We will talk to the team.",),
    }


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ('"opening.negative" = ["{name}, простите"]', "unknown placeholder {name}"),
        ('"greeting.formal" = ["Добрый день"]', "unknown template key 'greeting.formal'"),
        ('"signature.default" = [1, 2]', "give a text or a list of texts"),
    ],
)
def test_bad_templates_are_refused_with_the_line(tmp_path: Path, table: str, problem: str) -> None:
    text = f'[[brands]]\nname = "Кофемания"\n\n[brands.replies.templates.ru]\n{table}\n'
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text))
    assert "brands[0].replies.templates" in str(error.value) and problem in str(error.value)


async def test_settings_sync_into_the_database_and_follow_the_file(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'otklik.db'}",
        config=write(tmp_path, CONFIG),
    )
    async with open_database(settings) as database, database.sessionmaker.begin() as session:
        stored = await replies_repo.reply_settings(session, 1)
        await replies_repo.set_template(
            session, 1, "ru", "signature.default", ("Ваша {brand}",), user_id=1001, now=_now()
        )
    assert (stored.approval, stored.thanks, stored.thanks_delay_minutes) == (True, True, 45)
    assert stored.signature == "Команда Кофемании" and stored.rules == (
        "Не называть сотрудников по имени",
    )
    assert stored.thanks_since is not None

    # The file loses its templates: config ones go, the owner's chat edit stays.
    settings.config.write_text(CONFIG.split("[brands.replies.templates.ru]")[0], encoding="utf-8")
    async with open_database(settings) as database, database.sessionmaker() as session:
        templates = await replies_repo.templates_of(session, 1)
        again = await replies_repo.reply_settings(session, 1)
    assert [(t.key, t.origin) for t in templates] == [("signature.default", "chat")]
    assert again.thanks_since == stored.thanks_since  # still on: history is not thanked


def _now() -> datetime:
    return datetime.now(UTC)
