"""Migration 0006_insight keeps every row: on SQLite it rebuilds brands, sources, members and
chats' tables, which must not cascade-delete what refers to them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from storage.db import downgrade, make_engine, upgrade

NOW = datetime(2026, 10, 1, tzinfo=UTC)
TABLES = ("brands", "sources", "mentions", "cases", "members", "brand_chats", "chats")


async def _counts(engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    async with engine.begin() as conn:
        return {
            table: (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
            for table in TABLES
        }


async def test_branches_migration_keeps_brands_sources_mentions_and_cases(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        await upgrade(engine, "0003_hardening")
        async with engine.begin() as conn:
            for sql in (
                "INSERT INTO brands (id, name, aliases, alert_on, timezone, response_minutes,"
                " work_start, work_end, work_days, touchpoints, created_at) VALUES (1, 'B', '[]',"
                " 'negative', 'UTC', 60, '09:00', '21:00', '12345', '{}', :now)",
                "INSERT INTO sources (id, brand_id, kind, url, interval_seconds, options, origin,"
                " enabled, created_at, backfilled, consecutive_failures, health, health_notified)"
                " VALUES (1, 1, 'rss', 'https://a.example/feed', 600, '{}', 'config', true, :now,"
                " false, 0, 'ok', false)",
                "INSERT INTO mentions (id, source_id, brand_id, dedup_key, content_hash, text,"
                " first_seen_at, extra, backfill, needs_review, touchpoints) VALUES (1, 1, 1, 'k',"
                " 'h', 'Плохо', :now, '{}', false, false, '[]')",
                "INSERT INTO cases (id, mention_id, brand_id, status, created_at, updated_at)"
                " VALUES (1, 1, 1, 'new', :now, :now)",
                "INSERT INTO chats (id, language, timezone, digest_weekday, digest_time,"
                " digest_enabled, created_at) VALUES (5, 'ru', 'UTC', 0, '10:00', true, :now)",
                "INSERT INTO brand_chats (id, brand_id, chat_id) VALUES (1, 1, 5)",
                "INSERT INTO members (id, brand_id, user_id, role, created_at)"
                " VALUES (1, 1, 5, 'owner', :now)",
            ):
                await conn.execute(text(sql), {"now": NOW})
        before = await _counts(engine)
        assert set(before.values()) == {1}
        await upgrade(engine)
        assert await _counts(engine) == before
        await downgrade(engine, "0003_hardening")
        assert await _counts(engine) == before
        await upgrade(engine)
    finally:
        await engine.dispose()
