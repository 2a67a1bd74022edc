"""Migration 0004_completeness up, down and up again on SQLite and PostgreSQL, with data."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, text

from storage.db import downgrade, make_engine, upgrade

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


async def _columns(engine, table: str) -> set[str]:  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: {c["name"] for c in inspect(sync).get_columns(table)}
        )


async def _tables(engine) -> set[str]:  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        return await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))


async def test_completeness_migration_up_down_up_keeps_the_rows(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        await upgrade(engine)
        assert "mention_revisions" in await _tables(engine)
        assert {"edited_at", "removed_at"} <= await _columns(engine, "mentions")
        assert {
            "site_total",
            "site_total_at",
            "reconciled_at",
            "coverage_note",
            "history_before",
        } <= (await _columns(engine, "sources"))
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO brands (name, aliases, alert_on, timezone, response_minutes, "
                    "work_start, work_end, work_days, touchpoints, created_at) VALUES "
                    "('B', '[]', 'negative', 'UTC', 60, '09:00', '21:00', '1234567', '{}', :now)"
                ),
                {"now": NOW},
            )
            await conn.execute(
                text(
                    "INSERT INTO sources (brand_id, kind, url, interval_seconds, options, origin, "
                    "enabled, created_at, backfilled, consecutive_failures, "
                    "health, health_notified, site_total) VALUES ((SELECT id FROM brands), "
                    "'twogis', 'https://2gis.ru/x/firm/1', 600, '{}', 'config', true, :now, "
                    "true, 0, 'ok', false, 312)"
                ),
                {"now": NOW},
            )

        await downgrade(engine, "0005_replies")
        assert "mention_revisions" not in await _tables(engine)
        assert "site_total" not in await _columns(engine, "sources")
        assert "removed_at" not in await _columns(engine, "mentions")

        await upgrade(engine)
        async with engine.connect() as conn:
            kept = (await conn.execute(text("SELECT url, site_total FROM sources"))).all()
        assert [tuple(row) for row in kept] == [("https://2gis.ru/x/firm/1", None)]
    finally:
        await engine.dispose()
