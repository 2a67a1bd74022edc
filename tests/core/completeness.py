"""A harness for the "nothing missed" tests: one brand with a 2GIS source on the local site
server, the real fetch path and pipeline on a real database, the keyword classifier (stars
decide: 1–2 negative, 4–5 positive), and the real sender delivering to the fake Telegram."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import TelegramNotifier
from otklik.pipeline import Pipeline, PipelineOptions, PollReport
from otklik.sender import Sender
from scrapers import registry
from scrapers.fetch import Fetcher, FetchSettings, make_client_session
from sentiment import load_classifier
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import Case, Mention, OutboxMessage, Source
from storage.records import BrandInput, SourceInput
from storage.repositories.brands import sync_brands
from storage.repositories.sources import list_sources
from tests.fakes.review_listing import ReviewListing
from tests.fakes.site_server import SiteServer
from tests.fakes.telegram_api import FakeTelegram

OWNER = 515151
BRANCH = "70000001006794419"
FETCH = FetchSettings(
    connect_timeout=1.0,
    read_timeout=2.0,
    total_timeout=5.0,
    retries=1,
    backoff_base=0.01,
    backoff_max=0.05,
    per_host_concurrency=8,
    per_host_rate=0,
)


@dataclass
class Harness:
    sessions: async_sessionmaker[AsyncSession]
    pipeline: Pipeline
    site: ReviewListing

    async def poll(self) -> PollReport:
        async with self.sessions() as session:
            source = (await list_sources(session))[0]
        report = await self.pipeline.poll(source)
        assert report.error is None, report.error
        return report

    async def reconcile(self) -> PollReport:
        """A day has passed: the next poll is the full walk of the listing."""
        async with self.sessions.begin() as session:
            await session.execute(update(Source).values(reconciled_at=None))
        report = await self.poll()
        assert report.reconciled
        return report

    async def deliver(self, telegram: FakeTelegram) -> int:
        bot = telegram.make_bot()
        return await Sender(self.sessions, TelegramNotifier(bot, self.sessions)).drain_once()

    async def stored(self) -> dict[str, Mention]:
        async with self.sessions() as session:
            rows = await session.scalars(select(Mention))
            return {row.external_id or "": row for row in rows}

    async def shown(self) -> set[str]:
        """What the storage holds as still on the site."""
        return {key for key, row in (await self.stored()).items() if row.removed_at is None}

    async def outbox(self, kind: str) -> list[OutboxMessage]:
        async with self.sessions() as session:
            query = select(OutboxMessage).where(OutboxMessage.kind == kind)
            return list(await session.scalars(query.order_by(OutboxMessage.id)))

    async def case_of(self, review_id: str) -> Case | None:
        async with self.sessions() as session:
            return await session.scalar(
                select(Case)
                .join(Mention, Mention.id == Case.mention_id)
                .where(Mention.external_id == review_id)
            )


@asynccontextmanager
async def harness(
    db_url: str, *, page_size: int = 3, options: PipelineOptions | None = None
) -> AsyncIterator[Harness]:
    server = SiteServer()
    await server.start()
    engine = make_engine(db_url)
    http = make_client_session(FETCH)
    try:
        await upgrade(engine)
        sessions = make_sessionmaker(engine)
        site = ReviewListing(server, branch_id=BRANCH, page_size=page_size)
        brand = BrandInput(
            name="Кофемания",
            aliases=("Кофемания",),
            owners=(OWNER,),
            alert_on="negative",
            timezone="Europe/Moscow",
            response_minutes=60,
            work_start="00:00",
            work_end="00:00",
            work_days="1234567",
            touchpoints={},
            sources=(
                SourceInput(
                    kind="twogis",
                    url=site.page_url,
                    interval_seconds=600,
                    options={"key": "test-key", "api_base": server.origin},
                ),
            ),
        )
        async with sessions.begin() as session:
            await sync_brands(session, [brand], _now())
        fetcher = Fetcher(http, FETCH)
        pipeline = Pipeline(
            sessions,
            lambda spec: registry.create(spec, fetcher),
            load_classifier("keywords"),
            options or PipelineOptions(),
        )
        yield Harness(sessions, pipeline, site)
    finally:
        await http.close()
        await engine.dispose()
        await server.close()


def _now() -> datetime:
    return datetime.now(UTC)
