"""Composition root: settings → engine → HTTP session → classifier → pipeline (→ bot).

One engine, one aiohttp ClientSession and one bot per process, created here and passed down.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from otklik.config import AppConfig, BrandConfig, load_config
from otklik.pipeline import Pipeline, PipelineOptions
from otklik.settings import Settings
from scrapers import registry
from scrapers.fetch import Fetcher, FetchSettings, make_client_session
from sentiment import load_classifier
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.records import BrandInput, SourceInput
from storage.repositories.brands import sync_brands

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Runtime:
    settings: Settings
    config: AppConfig
    sessionmaker: async_sessionmaker[AsyncSession]
    http: aiohttp.ClientSession
    pipeline: Pipeline


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
        sources=tuple(
            SourceInput(
                kind=source.kind or "",
                url=source.url,
                interval_seconds=source.interval,
                options=source.options,
                enabled=source.enabled,
            )
            for source in brand.sources
        ),
    )


async def prepare_database(settings: Settings) -> AsyncEngine:
    engine = make_engine(settings.database_url)
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
        async with sessions.begin() as session:
            await sync_brands(session, [brand_input(b) for b in config.brands], datetime.now(UTC))
        yield Database(config, engine, sessions)
    finally:
        await engine.dispose()


def fetch_settings_of(settings: Settings) -> FetchSettings:
    """How the service fetches: the same for polls and for `otklik doctor`."""
    return FetchSettings(
        connect_timeout=min(10.0, settings.http_timeout),
        read_timeout=settings.http_timeout,
        total_timeout=settings.http_timeout * 2,
        retries=settings.http_retries,
        backoff_base=settings.http_backoff,
        per_host_rate=settings.http_per_host_rate,
        per_host_concurrency=settings.http_per_host_concurrency,
        max_bytes=settings.http_max_bytes,
    )


@asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """Everything a scan or the service needs, closed in reverse order on the way out."""
    async with open_database(settings) as database:
        config, sessions = database.config, database.sessionmaker
        fetch_settings = fetch_settings_of(settings)
        async with make_client_session(fetch_settings) as http:
            fetcher = Fetcher(http, fetch_settings)
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
                ),
            )
            yield Runtime(settings, config, sessions, http, pipeline)
