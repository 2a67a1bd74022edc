"""Composition root: settings → engine → HTTP session → classifier → pipeline (→ bot).

One engine, one aiohttp ClientSession and one bot per process, created here and passed down.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from common.errors import OtklikError
from common.vocabulary import AlertOn
from otklik.config import AppConfig, BrandConfig, SourceConfig, load_config
from otklik.pipeline import Pipeline, PipelineOptions
from otklik.settings import Settings
from otklik.sqlite_lock import single_process
from scrapers import registry
from scrapers.fetch import Fetcher, FetchSettings, make_client_session
from scrapers.secrets import split_options
from sentiment import load_classifier
from storage.db import (
    DatabaseUnreachable,
    exclusive,
    is_postgresql,
    make_engine,
    make_sessionmaker,
    upgrade,
    wait_until_reachable,
)
from storage.records import BranchInput, BrandInput, SourceInput
from storage.repositories import host_pace
from storage.repositories.brands import sync_brands
from storage.repositories.replies import ReplyConfigInput, sync_reply_config

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Runtime:
    settings: Settings
    config: AppConfig
    sessionmaker: async_sessionmaker[AsyncSession]
    http: aiohttp.ClientSession
    pipeline: Pipeline


def brand_inputs(config: AppConfig) -> list[BrandInput]:
    """Every brand of the file with its competitors right after it (they refer to it)."""
    out: list[BrandInput] = []
    for brand in config.brands:
        own = brand_input(brand)
        out.append(own)
        # A competitor is read on the brand's own clock, but alerts no one and has no branches.
        out += [
            replace(
                own,
                name=competitor.name,
                aliases=competitor.all_aliases,
                owners=(),
                alert_on=AlertOn.NONE,
                sources=_source_inputs(competitor.sources),
                branches=(),
                competitor_of=brand.name,
            )
            for competitor in brand.competitors
        ]
    return out


def _source_inputs(sources: list[SourceConfig]) -> tuple[SourceInput, ...]:
    inputs = []
    for source in sources:
        options, secrets = split_options(source.options)
        inputs.append(
            SourceInput(
                kind=source.kind or "",
                url=source.url,
                interval_seconds=source.interval,
                options=options,
                secrets=secrets,
                enabled=source.enabled,
            )
        )
    return tuple(inputs)


def brand_input(brand: BrandConfig) -> BrandInput:
    return BrandInput(
        name=brand.name,
        aliases=brand.all_aliases,
        owners=tuple(brand.owners),
        alert_on=brand.alert_on,
        timezone=brand.timezone,
        response_minutes=max(1, brand.response_time // 60),
        work_start=brand.work_start,
        work_end=brand.work_end,
        work_days=brand.work_days,
        touchpoints=dict(brand.touchpoints),
        sources=_source_inputs(brand.sources),
        branches=tuple(
            BranchInput(
                name=branch.name,
                city=branch.city,
                address=branch.address,
                timezone=branch.timezone,
                managers=tuple(branch.managers),
                sources=_source_inputs(branch.sources),
            )
            for branch in brand.branches
        ),
    )


def reply_config_input(brand: BrandConfig) -> ReplyConfigInput:
    replies = brand.replies
    return ReplyConfigInput(
        approval=brand.reply_approval,
        thanks=brand.thanks_for_praise,
        thanks_delay_minutes=max(1, brand.thanks_delay // 60),
        signature=replies.signature,
        tone_notes=replies.tone,
        rules=tuple(replies.rules),
        allow_offers=replies.allow_offers,
        templates=replies.overrides(),
    )


async def prepare_database(settings: Settings) -> AsyncEngine:
    """The migrated database; one that is still starting is waited for, one line per retry."""
    engine = make_engine(settings.database_url)
    shown = engine.url.render_as_string(hide_password=True)

    def retrying(reason: str, pause: float) -> None:
        log.warning("database %s not reachable (%s); retrying in %.0f s", shown, reason, pause)

    try:
        await wait_until_reachable(engine, patience=settings.database_wait, on_retry=retrying)
    except DatabaseUnreachable as exc:
        await engine.dispose()
        raise OtklikError(
            f"cannot reach the database {shown} after {settings.database_wait:g} s: {exc}"
        ) from None
    await upgrade(engine)
    return engine


@dataclass(slots=True)
class Database:
    config: AppConfig
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[Database]:
    """The brands file synced into the migrated database: enough for commands that only read
    rows, which must not pay for an HTTP session or a sentiment model."""
    config = load_config(
        settings.config,
        detect_kind=registry.detect,
        known_kinds=registry.kinds(),
        check_source=registry.check,
    )
    engine = await prepare_database(settings)
    try:
        sessions = make_sessionmaker(engine)
        now = datetime.now(UTC)
        async with sessions.begin() as session:
            await exclusive(session)
            ids = await sync_brands(session, brand_inputs(config), now)
            for brand in config.brands:
                await sync_reply_config(session, ids[brand.name], reply_config_input(brand), now)
        yield Database(config, engine, sessions)
    finally:
        await engine.dispose()


class DatabasePacer:
    """scrapers.fetch.HostPacer over the host_pace table: every worker of a PostgreSQL
    deployment books a host's request starts in one place."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def reserve(self, host: str, interval: float) -> float:
        async with self._sessions.begin() as session:
            return await host_pace.reserve(session, host, interval)


def shared_pacer(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> DatabasePacer | None:
    """PostgreSQL deployments pace each site together; SQLite's one process paces in memory."""
    return DatabasePacer(sessions) if is_postgresql(settings.database_url) else None


def fetch_settings_of(settings: Settings) -> FetchSettings:
    """How the service fetches: the same for polls and for `otklik doctor`."""
    return FetchSettings(
        connect_timeout=min(10.0, settings.http_timeout),
        read_timeout=settings.http_timeout,
        total_timeout=settings.http_timeout * 2,
        retries=settings.http_retries,
        backoff_base=settings.http_backoff,
        per_host_rate=settings.http_per_host_rate,
        host_rate_overrides=dict(settings.http_host_rates),
        per_host_concurrency=settings.http_per_host_concurrency,
        max_bytes=settings.http_max_bytes,
        allow_private=settings.allowed_private,
    )


@asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """Everything a scan or the service needs, closed in reverse order on the way out. On
    SQLite it holds the file for this process (otklik.sqlite_lock)."""
    with single_process(settings.database_url):
        async with _open_runtime(settings) as runtime:
            yield runtime


@asynccontextmanager
async def _open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    async with open_database(settings) as database:
        config, sessions = database.config, database.sessionmaker
        fetch_settings = fetch_settings_of(settings)
        async with make_client_session(fetch_settings) as http:
            fetcher = Fetcher(http, fetch_settings, pacer=shared_pacer(settings, sessions))
            classifier = load_classifier(
                settings.sentiment_model,
                touchpoints={
                    brand.name: brand.touchpoints for brand in config.brands if brand.touchpoints
                },
            )
            reason = getattr(classifier, "fallback_reason", None)
            if reason:
                log.warning(
                    "sentiment model %s not used, %s instead: %s",
                    settings.sentiment_model or "bundled",
                    classifier.name,
                    reason,
                )
            pipeline = Pipeline(
                sessions,
                lambda spec: registry.create(spec, fetcher),
                classifier,
                PipelineOptions(
                    backfill_limit=settings.backfill_limit,
                    backfill_days=settings.backfill_days,
                    unhealthy_after=settings.unhealthy_after,
                    classify_batch=settings.classify_batch,
                    jitter=settings.poll_jitter,
                    reconcile_every=timedelta(hours=settings.reconcile_hours),
                    reconcile_pages=settings.reconcile_pages,
                ),
            )
            yield Runtime(settings, config, sessions, http, pipeline)
