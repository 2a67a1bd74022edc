"""Branches: the brands file, the CSV import (bad rows by line), alert routing per branch and
competitors that never open cases, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common.errors import ConfigError
from common.worktime import due_at
from otklik.app import brand_inputs
from otklik.branch_import import parse_branches_csv
from otklik.commands.import_branches import run_import
from otklik.config import load_config
from otklik.health import record_failure
from scrapers import registry
from scrapers.errors import FetchError
from storage.models import Branch, BrandChat, Case, Member, OutboxMessage, Source
from storage.repositories.backlog import open_backlog_case, queue_connect_message
from storage.repositories.brands import brand_chat_ids, sync_brands
from storage.repositories.sources import get_source
from storage.repositories.triage import open_cases_and_alerts
from tests.reports.factories import add_mention

NOW = datetime(2026, 10, 12, 16, 30, tzinfo=UTC)  # 19:30 in Moscow, 21:30 in Yekaterinburg
MANAGER_CHAT = -100200
MANAGER_USER = 4242

CONFIG = f"""
[[brands]]
name = "Кофемания"
owners = [1001]
work_hours = "09:00-21:00"

[[brands.sources]]
url = "https://t.me/s/kofemania"

[[brands.branches]]
name = "Арбат"
city = "Москва"
address = "Арбат, 10"
managers = [{MANAGER_CHAT}, {MANAGER_USER}]

[[brands.branches.sources]]
url = "https://2gis.ru/moscow/firm/700001001"
key = "k"

[[brands.branches]]
name = "Невский"
city = "Екатеринбург"
timezone = "Asia/Yekaterinburg"

[[brands.branches.sources]]
url = "https://2gis.ru/spb/firm/700002002"
key = "k"

[[brands.competitors]]
name = "Шоколадница"

[[brands.competitors.sources]]
url = "https://2gis.ru/moscow/firm/700003003"
key = "k"
"""


def _load(tmp_path: Path, text: str = CONFIG):  # type: ignore[no-untyped-def]
    path = tmp_path / "otklik.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(
        path,
        detect_kind=registry.detect,
        known_kinds=registry.kinds(),
        check_source=registry.check,
    )


async def _synced(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> dict[str, int]:
    async with sessions.begin() as session:
        return await sync_brands(session, brand_inputs(_load(tmp_path)), NOW)


def test_bad_branch_in_the_brands_file_names_its_line(tmp_path: Path) -> None:
    broken = CONFIG.replace('timezone = "Asia/Yekaterinburg"', 'timezone = "Mars/Olympus"')
    with pytest.raises(
        ConfigError,
        match=r"line 23: brands\[0\]\.branches\[1\]\.timezone: .*unknown time zone 'Mars/Olympus'",
    ):
        _load(tmp_path, broken)
    twice = CONFIG.replace('name = "Шоколадница"', 'name = "кофемания"')
    with pytest.raises(ConfigError, match="brand 'кофемания' is listed twice"):
        _load(tmp_path, twice)


async def test_branches_managers_and_competitors_sync_from_the_file(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    ids = await _synced(sessions, tmp_path)
    ids_again = await _synced(sessions, tmp_path)  # a restart changes nothing
    assert ids == ids_again
    async with sessions() as session:
        branches = {b.name: b for b in await session.scalars(select(Branch))}
        assert set(branches) == {"Арбат", "Невский"}
        assert branches["Арбат"].address == "Арбат, 10"
        sources = {s.url: s for s in await session.scalars(select(Source))}
        assert sources["https://2gis.ru/moscow/firm/700001001"].branch_id == branches["Арбат"].id
        assert sources["https://t.me/s/kofemania"].branch_id is None
        assert sources["https://2gis.ru/moscow/firm/700003003"].brand_id == ids["Шоколадница"]
        chats = {c.chat_id: c.branch_id for c in await session.scalars(select(BrandChat))}
        assert chats == {
            1001: None,
            MANAGER_CHAT: branches["Арбат"].id,
            MANAGER_USER: branches["Арбат"].id,
        }
        manager = await session.scalar(select(Member).where(Member.user_id == MANAGER_USER))
        assert manager is not None and (manager.role, manager.branch_id) == (
            "pr",
            branches["Арбат"].id,
        )


async def _negative(session: AsyncSession, url: str) -> int:
    source = await session.scalar(select(Source).where(Source.url == url))
    assert source is not None
    mention = await add_mention(
        session, source, text="Нахамили", published_at=NOW, first_seen_at=NOW, sentiment="negative"
    )
    triaged = await open_cases_and_alerts(
        session,
        brand_id=source.brand_id,
        mentions=[(mention.id, "negative")],
        now=NOW,
        deadline=lambda at, brand: due_at(
            at, minutes=60, work_start="09:00", work_end="21:00", tz=brand.timezone
        ),
    )
    assert triaged.cases_opened == (0 if url.endswith("3003") else 1)
    return mention.id


async def test_alerts_go_to_the_branch_managers_chat_only_for_its_branch(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await _synced(sessions, tmp_path)
    async with sessions.begin() as session:
        arbat = await _negative(session, "https://2gis.ru/moscow/firm/700001001")
        nevsky = await _negative(session, "https://2gis.ru/spb/firm/700002002")
        brand_wide = await _negative(session, "https://t.me/s/kofemania")
    async with sessions() as session:
        rows = (
            await session.execute(select(OutboxMessage.mention_id, OutboxMessage.chat_id))
        ).all()
    chats_of: dict[int, set[int]] = {}
    for mention_id, chat_id in rows:
        chats_of.setdefault(mention_id, set()).add(chat_id)
    assert chats_of == {
        arbat: {1001, MANAGER_CHAT, MANAGER_USER},
        nevsky: {1001},
        brand_wide: {1001},
    }
    async with sessions() as session:
        due = dict((await session.execute(select(Case.mention_id, Case.due_at))).all())
    # Working hours on each branch's own clock: Moscow is still open, Yekaterinburg has closed.
    assert due[arbat] == NOW + timedelta(hours=1)
    assert due[nevsky] == datetime(2026, 10, 13, 5, 0, tzinfo=UTC)  # 10:00 there


async def test_competitor_reviews_never_open_cases_or_alerts(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    ids = await _synced(sessions, tmp_path)
    async with sessions.begin() as session:
        await _negative(session, "https://2gis.ru/moscow/firm/700003003")
    async with sessions() as session:
        cases = await session.scalar(
            select(func.count()).select_from(Case).where(Case.brand_id == ids["Шоколадница"])
        )
        alerts = await session.scalar(select(func.count()).select_from(OutboxMessage))
    assert (cases, alerts) == (0, 0)


CSV = """brand;branch;city;address;timezone;url;kind;interval
Кофемания;Тверская;Москва;Тверская, 1;;https://2gis.ru/moscow/firm/700005005;;30m
Кофемания;Тверская;Москва;;;https://yandex.ru/maps/org/tverskaya/5006/;;
Кофемания;;Москва;;;https://2gis.ru/moscow/firm/700005007;;
Пятёрочка;Центр;Москва;;;;;
Кофемания;Сокол;Москва;;Mars/Base;;;
Кофемания;Сокол2;Москва;;;ftp://example.com/x;;
Кофемания;Сокол3;Москва;;;https://example.com/unknown;;
Кофемания;Тверская;Казань;;;;;
Кофемания;Сокол4;Москва;;;https://2gis.ru/moscow/firm/700005005;;
Кофемания;Сокол5;Москва;;;https://2gis.ru/moscow/firm/700005008;;soon
Кофемания;Арбат;;;;"https://2gis.ru/moscow/
firm/700005009";twogis;
Кофемания;Химки;Химки;;;;;
Кофемания;Сокол6;Москва;;;https://2gis.ru/moscow/firm/12;twogis;
"""


def test_csv_rows_are_checked_one_by_one_and_reported_by_line() -> None:
    parsed = parse_branches_csv(
        CSV,
        brands=["Кофемания"],
        detect_kind=registry.detect,
        known_kinds=registry.kinds(),
        check_source=registry.check,
    )
    assert parsed.rows == 13
    assert [e.split(":")[0] for e in parsed.errors] == [
        "line 4", "line 5", "line 6", "line 7", "line 8", "line 9", "line 10", "line 11", "line 12", "line 15"
    ]  # fmt: skip
    messages = "\n".join(parsed.errors)
    assert "line 4: branch is empty" in messages
    assert "line 5: brand 'Пятёрочка' is not in the config (known: Кофемания)" in messages
    assert "line 6: unknown time zone 'Mars/Base'" in messages
    assert "line 7: 'ftp://example.com/x' is not an http(s) URL" in messages
    assert "line 8: cannot tell the source kind" in messages
    assert "line 9: branch 'Тверская': city 'Казань' differs from line 2 ('Москва')" in messages
    assert (
        "line 10: https://2gis.ru/moscow/firm/700005005 is already listed for branch 'Тверская' on line 2"
        in messages
    )
    assert "line 11: interval:" in messages
    # A quoted cell with a line break: the row is named by the line it starts on.
    assert "line 12: 'https://2gis.ru/moscow/\\nfirm/700005009' is not an http(s) URL" in messages
    assert "line 15: twogis https://2gis.ru/moscow/firm/12: no branch id" in messages
    (branches,) = parsed.branches.values()
    tverskaya = next(b for b in branches if b.name == "Тверская")
    assert tverskaya.address == "Тверская, 1"
    assert [(s.kind, s.interval_seconds) for s in tverskaya.sources] == [
        ("twogis", 1800),
        ("yandex_maps", 600),
    ]
    assert {b.name for b in branches} == {"Тверская", "Химки"}


def test_csv_urls_pass_the_brands_files_checks() -> None:
    """No user:password and no secret in a URL from a CSV either: it would be stored and shown
    in the clear."""
    parsed = parse_branches_csv(
        "brand;branch;url\n"
        "Кофемания;Арбат;https://ivan:secret@2gis.ru/moscow/firm/700001001\n"
        "Кофемания;Невский;https://news.example/rss?api_key=abc123\n"
        "Кофемания;Химки;https://2gis.ru/moscow/firm/700001009\n",
        brands=["Кофемания"],
        detect_kind=registry.detect,
        known_kinds=registry.kinds(),
        check_source=registry.check,
    )
    messages = "\n".join(parsed.errors)
    assert "line 2: a URL with a user name or password is not allowed" in messages
    assert "line 3: the URL carries api_key=…" in messages
    (branches,) = parsed.branches.values()
    assert [b.name for b in branches] == ["Химки"]


def test_csv_without_the_branch_column_is_refused_at_line_1() -> None:
    with pytest.raises(ConfigError, match=r"line 1: .*missing: branch"):
        parse_branches_csv(
            "brand,name\nКофемания,Арбат\n",
            brands=["Кофемания"],
            detect_kind=registry.detect,
            known_kinds=registry.kinds(),
            check_source=registry.check,
        )


async def test_import_command_stores_good_rows_reports_bad_ones_and_is_idempotent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "otklik.toml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("OTKLIK_CONFIG", str(tmp_path / "otklik.toml"))
    monkeypatch.setenv("OTKLIK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'o.db'}")
    path = tmp_path / "branches.csv"
    assert await run_import(path, CSV, None) == 1
    out = capsys.readouterr().out
    assert f"{path}: 13 rows, 2 branches (2 new), 2 new sources" in out
    assert f"{path}, line 4: branch is empty" in out
    assert await run_import(path, CSV, None) == 1
    assert "2 branches (0 new), 0 new sources" in capsys.readouterr().out
    good = "branch,url\nЛубянка,https://2gis.ru/moscow/firm/700006006\n"
    assert await run_import(path, good, "кофемания") == 0


async def test_source_news_goes_where_its_alerts_go(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """A source going down, its first-poll note and a review's later news reach the brand's
    chats and the managers of that source's branch only, as its alerts do."""
    await _synced(sessions, tmp_path)
    async with sessions.begin() as session:
        arbat = await _negative(session, "https://2gis.ru/moscow/firm/700001001")
        nevsky = await _negative(session, "https://2gis.ru/spb/firm/700002002")
        for url in ("https://2gis.ru/moscow/firm/700001001", "https://2gis.ru/spb/firm/700002002"):
            source = await session.scalar(select(Source).where(Source.url == url))
            assert source is not None
            record = await get_source(session, source.id)
            assert record is not None
            await record_failure(
                session, record, FetchError("HTTP 503"), failures=1, threshold=1, now=NOW
            )
            await queue_connect_message(
                session, source_id=source.id, brand_id=source.brand_id, kind=source.kind,
                read=1, days=30, now=NOW,
            )  # fmt: skip
        brand_id = source.brand_id
        chats_of = {
            mention_id: set(await brand_chat_ids(session, brand_id, mention_id=mention_id))
            for mention_id in (arbat, nevsky)
        }
    assert chats_of == {arbat: {1001, MANAGER_CHAT, MANAGER_USER}, nevsky: {1001}}
    async with sessions() as session:
        rows = (
            await session.execute(
                select(OutboxMessage.kind, OutboxMessage.chat_id, OutboxMessage.payload).where(
                    OutboxMessage.kind.in_(["health", "backlog"])
                )
            )
        ).all()
        source_of = {s.id: s.url for s in await session.scalars(select(Source))}
    told: dict[tuple[str, str], set[int]] = {}
    for kind, chat_id, payload in rows:
        told.setdefault((kind, source_of[int(payload["source_id"])]), set()).add(chat_id)
    for kind in ("health", "backlog"):
        assert told[(kind, "https://2gis.ru/moscow/firm/700001001")] == {
            1001,
            MANAGER_CHAT,
            MANAGER_USER,
        }
        assert told[(kind, "https://2gis.ru/spb/firm/700002002")] == {1001}


async def test_a_backlog_case_is_due_on_its_branchs_clock(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """Opened by hand from /backlog, as triage opens a new one: Yekaterinburg has closed."""
    await _synced(sessions, tmp_path)
    async with sessions.begin() as session:
        source = await session.scalar(
            select(Source).where(Source.url == "https://2gis.ru/spb/firm/700002002")
        )
        assert source is not None
        old = await add_mention(
            session, source, text="Нахамили месяц назад", published_at=NOW - timedelta(days=20),
            first_seen_at=NOW, sentiment="negative", backfill=True,
        )  # fmt: skip
        case_id = await open_backlog_case(
            session,
            old.id,
            now=NOW,
            deadline=lambda at, brand: due_at(
                at, minutes=60, work_start="09:00", work_end="21:00", tz=brand.timezone
            ),
            actor_id=MANAGER_USER,
            actor_name="Мария",
        )
    async with sessions() as session:
        case = await session.get_one(Case, case_id)
    assert case.due_at == datetime(2026, 10, 13, 5, 0, tzinfo=UTC)  # 10:00 there
