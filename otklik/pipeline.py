"""One poll of one source: fetch → classify → store, cases and alerts in one transaction.

Crash safety comes from the order of effects: the source's cursor moves forward in the same
transaction that stores the mentions, their cases and their outbox rows, so a process killed
anywhere either redoes the whole poll or has everything it needs to send the alerts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common.backoff import backoff, jittered
from common.clock import Clock, utcnow
from common.errors import ConfigError, OtklikError
from common.vocabulary import CoverageGap, Label, SourceHealth
from common.worktime import response_due
from otklik import health
from otklik.incidents import check_spikes
from otklik.listing import ListingChanges, compare
from scrapers.errors import ParseError, RateLimited, SourceConfigError, SourceError
from scrapers.records import PollResult, PollState, ScrapedItem, SourceSpec
from scrapers.secrets import redact_error
from sentiment.records import Sentiment, TextInput
from storage.records import (
    ClassificationInput,
    MentionRecord,
    NewMention,
    SourceRecord,
)
from storage.repositories import backlog as backlog_repo
from storage.repositories import mentions as mentions_repo
from storage.repositories import review_changes
from storage.repositories import revisions as revisions_repo
from storage.repositories import sources as sources_repo
from storage.repositories.triage import open_cases_and_alerts

log = logging.getLogger(__name__)


class PollingSource(Protocol):
    async def poll(
        self,
        state: PollState,
        *,
        backfill_limit: int = ...,
        backfill_since: datetime | None = ...,
        full_pages: int | None = ...,
    ) -> PollResult: ...


class Classifier(Protocol):
    async def classify(self, batch: Sequence[TextInput]) -> list[Sentiment]: ...


@dataclass(frozen=True, slots=True)
class PipelineOptions:
    backfill_limit: int = 200
    backfill_days: int = 30
    unhealthy_after: int = 3
    classify_batch: int = 64
    jitter: float = 0.1
    max_backoff_factor: int = 8
    # The full walk of each listing that fills holes and finds removed reviews.
    reconcile_every: timedelta = timedelta(days=1)
    reconcile_pages: int = 20
    # More than this share of held reviews gone from one listing is a broken site, not removals.
    max_removed_share: float = 0.5


@dataclass(slots=True)
class PollReport:
    """What one poll did, for the scan printout and the logs."""

    source: SourceRecord
    new_mentions: list[MentionRecord] = field(default_factory=list)
    cases_opened: int = 0
    alerts_queued: int = 0
    not_modified: bool = False
    backfill: bool = False
    reconciled: bool = False
    edited: int = 0
    replies_seen: int = 0
    removed: int = 0
    error: str | None = None
    error_kind: str | None = None
    health: SourceHealth | None = None
    # Entries the source's pages held but could not read (the others were stored).
    skipped: tuple[str, ...] = ()
    # How the reviews were reached, where a source has more than one way.
    path: str | None = None
    # Site ids (or content hashes) of items the database refused; the rest were stored.
    rejected: list[str] = field(default_factory=list)


class Pipeline:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        make_source: Callable[[SourceSpec], PollingSource],
        classifier: Classifier,
        options: PipelineOptions | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self._sessions = sessionmaker
        self._make_source = make_source
        self._classifier = classifier
        self._options = options or PipelineOptions()
        self._clock = clock

    async def poll(self, source: SourceRecord) -> PollReport:
        report = PollReport(source=source)
        state = PollState(
            cursor=source.cursor,
            etag=source.etag,
            last_modified=source.last_modified,
            backfilled=source.backfilled,
        )
        spec = SourceSpec(
            kind=source.kind,
            url=source.url,
            aliases=source.aliases,
            options={**source.options, **source.secrets},
        )
        started = self._clock()
        report.reconciled = source.backfilled and (
            source.reconciled_at is None
            or started - source.reconciled_at >= self._options.reconcile_every
        )
        try:
            result = await self._make_source(spec).poll(
                state,
                backfill_limit=self._options.backfill_limit,
                backfill_since=started - timedelta(days=self._options.backfill_days),
                full_pages=self._options.reconcile_pages if report.reconciled else None,
            )
        except SourceError as exc:
            await self._failed(report, exc)
            return report
        except ConfigError as exc:  # e.g. a kind this version does not know
            misconfigured = SourceConfigError(str(exc), source=source.kind, url=source.url)
            await self._failed(report, redact_error(misconfigured, source.secrets.values()))
            return report
        except OtklikError as exc:
            error = SourceError(str(exc), source=source.kind, url=source.url)
            await self._failed(report, redact_error(error, source.secrets.values()))
            return report
        report.not_modified = result.not_modified
        report.skipped, report.path = result.skipped, result.path
        if result.seen == 0 and (source.last_item_count or 0) > 0:
            await self._failed(
                report,
                ParseError(
                    f"the page listed {source.last_item_count} items before and none now "
                    "(layout changed?)",
                    source=source.kind,
                    url=source.url,
                ),
            )
            return report
        report.backfill = not source.backfilled
        # A first poll that read the whole listing needs no separate full walk.
        report.reconciled = report.reconciled or (report.backfill and result.reached_end)
        items = [self._to_new_mention(item) for item in result.every_item]
        keys = [mentions_repo.dedup_key(item) for item in items]
        async with self._sessions() as session:
            stored = await mentions_repo.stored_mentions(session, source.id, keys)
        changes = compare(items, keys, stored)
        edited = [item for _, item in changes.edited]
        verdicts = await self._classify_safely([*changes.fresh, *edited], brand=source.brand_name)
        fresh_verdicts, edit_verdicts = (
            verdicts[: len(changes.fresh)],
            verdicts[len(changes.fresh) :],
        )
        try:
            await self._store(
                report, result, changes, fresh_verdicts, edit_verdicts, set(keys), started
            )
        except (SQLAlchemyError, UnicodeError) as exc:
            # One review the database will not take must not hold back the others: find it
            # (or them) with throwaway inserts, then store the rest with the cursor as usual.
            rejected = await self._unstorable(report, changes.fresh, fresh_verdicts)
            if not rejected:
                raise
            log.warning(
                "source %s %s: %d items not storable: %s",
                source.kind,
                source.url,
                len(rejected),
                exc.__class__.__name__,
            )
            keep = [i for i in range(len(changes.fresh)) if i not in rejected]
            await self._store(
                report,
                result,
                replace(changes, fresh=[changes.fresh[i] for i in keep]),
                [fresh_verdicts[i] for i in keep],
                edit_verdicts,
                set(keys),
                started,
                rejected=[
                    (mentions_repo.dedup_key(changes.fresh[i]), why) for i, why in rejected.items()
                ],
            )
        return report

    async def classify_pending(self, *, limit: int = 500) -> int:
        """Classify mentions stored while the classifier was down, then open their cases."""
        async with self._sessions() as session:
            pending = await mentions_repo.unclassified(session, limit=limit)
        if not pending:
            return 0
        inputs = [
            TextInput(text=title_and_text(m.title, m.text), rating=m.rating, brand=m.brand_name)
            for m in pending
        ]
        try:
            verdicts = await self._classify(inputs)
        except OtklikError as exc:
            log.warning("classifier still failing, %d mentions wait: %s", len(pending), exc)
            return 0
        now = self._clock()
        async with self._sessions.begin() as session:
            by_brand: dict[int, list[tuple[int, str | None]]] = {}
            spiking: set[int] = set()
            for mention, verdict in zip(pending, verdicts, strict=True):
                await mentions_repo.set_classification(session, mention.id, verdict, now)
                if not mention.backfill:
                    by_brand.setdefault(mention.brand_id, []).append((mention.id, verdict.label))
                    if verdict.label == Label.NEGATIVE:
                        spiking.add(mention.source_id)
            for brand_id, labelled in by_brand.items():
                await open_cases_and_alerts(
                    session, brand_id=brand_id, mentions=labelled, now=now, deadline=response_due
                )
            for source_id in sorted(spiking):
                await check_spikes(session, source_id, now)
        return len(pending)

    async def _unstorable(
        self,
        report: PollReport,
        fresh: list[NewMention],
        verdicts: list[ClassificationInput | None],
    ) -> dict[int, str]:
        """Index → reason of the items the database refuses, each tried alone and rolled back.
        A lost connection is not an item's fault: it propagates."""
        source = report.source
        rejected: dict[int, str] = {}
        for index, (item, verdict) in enumerate(zip(fresh, verdicts, strict=True)):
            async with self._sessions() as session:
                try:
                    await mentions_repo.insert_mentions(
                        session,
                        source_id=source.id,
                        brand_id=source.brand_id,
                        items=[item],
                        classifications=[verdict],
                        backfill=report.backfill,
                        now=self._clock(),
                    )
                except (OperationalError, InterfaceError):
                    raise
                except DBAPIError as exc:
                    rejected[index] = _first_line(str(exc.orig))
                except (SQLAlchemyError, UnicodeError) as exc:
                    rejected[index] = _first_line(str(exc))
                finally:
                    await session.rollback()
        return rejected

    async def _store(
        self,
        report: PollReport,
        result: PollResult,
        changes: ListingChanges,
        verdicts: list[ClassificationInput | None],
        edit_verdicts: list[ClassificationInput | None],
        listed: set[str],
        started: datetime,
        *,
        rejected: Sequence[tuple[str, str]] = (),
    ) -> None:
        source = report.source
        now = self._clock()
        history_before = (
            self._history_cutoff(result, started) if report.backfill else source.history_before
        )
        history = [
            report.backfill
            or (
                history_before is not None
                and item.published_at is not None
                and item.published_at < history_before
            )
            for item in changes.fresh
        ]
        async with self._sessions.begin() as session:
            created = await mentions_repo.insert_mentions(
                session,
                source_id=source.id,
                brand_id=source.brand_id,
                items=changes.fresh,
                classifications=verdicts,
                backfill=history,
                now=now,
            )
            is_history = {
                mentions_repo.dedup_key(item): flag
                for item, flag in zip(changes.fresh, history, strict=True)
            }
            news = [
                (mid, item, v)
                for mid, item, v in created
                if not is_history[mentions_repo.dedup_key(item)]
            ]
            triaged = await open_cases_and_alerts(
                session,
                brand_id=source.brand_id,
                mentions=[(mid, v.label) for mid, _, v in news if v is not None],
                now=now,
                deadline=response_due,
            )
            report.cases_opened, report.alerts_queued = (
                triaged.cases_opened,
                triaged.alerts_queued,
            )
            await self._store_changes(report, session, changes, edit_verdicts, news, now)
            if report.reconciled and result.reached_end and result.lists_everything:
                await self._mark_removed(report, session, listed, now)
            await self._store_coverage(report, session, result, now)
            if report.backfill:
                await backlog_repo.queue_connect_message(
                    session,
                    source_id=source.id,
                    brand_id=source.brand_id,
                    kind=source.kind,
                    read=len(created),
                    days=self._options.backfill_days,
                    now=now,
                )
            if any(v is not None and v.label == Label.NEGATIVE for _, _, v in news):
                await check_spikes(session, source.id, now)
            await sources_repo.save_poll_success(
                session,
                source.id,
                now=now,
                next_poll_at=self._next_poll(now, source.interval_seconds),
                cursor=result.state.cursor,
                etag=result.state.etag,
                last_modified=result.state.last_modified,
                backfilled=True,
                item_count=result.seen,
                history_before=history_before,
            )
            await sources_repo.note_poll(
                session, source.id, now=now, skipped=result.skipped, path=result.path
            )
            if await health.record_recovery(session, source, now=now):
                report.health = SourceHealth.OK
            if rejected:
                await health.record_rejected(session, source, rejected, now=now)
                report.rejected = [key for key, _ in rejected]
            report.new_mentions = await mentions_repo.get_mentions(
                session, [mid for mid, _, _ in created]
            )

    async def _store_changes(
        self,
        report: PollReport,
        session: AsyncSession,
        changes: ListingChanges,
        edit_verdicts: list[ClassificationInput | None],
        news: list[tuple[int, NewMention, ClassificationInput | None]],
        now: datetime,
    ) -> None:
        source = report.source
        revisions = [
            await revisions_repo.record_edit(session, old.id, item, verdict, now=now)
            for (old, item), verdict in zip(changes.edited, edit_verdicts, strict=True)
        ]
        report.edited = len(revisions)
        report.alerts_queued += await review_changes.edits_seen(
            session, brand_id=source.brand_id, revisions=revisions, now=now, deadline=response_due
        )
        # A new review the business has already answered on the site opens its case replied.
        answered = [(mid, item.business_reply) for mid, item, _ in news if item.business_reply]
        report.replies_seen = await review_changes.replies_seen(
            session, brand_id=source.brand_id, replies=[*changes.replies, *answered], now=now
        )
        if changes.reappeared:
            await mentions_repo.set_removed(session, changes.reappeared, None)

    async def _mark_removed(
        self, report: PollReport, session: AsyncSession, listed: set[str], now: datetime
    ) -> None:
        source = report.source
        gone = await mentions_repo.missing_from_listing(session, source.id, listed)
        if not gone:
            return
        held = (await mentions_repo.held_count(session, [source.id]))[source.id]
        if len(gone) > max(3, held * self._options.max_removed_share):
            log.warning(
                "%s %s: the full listing lacks %d of %d held reviews; not marking them removed "
                "(a broken listing is likelier than mass removal)",
                source.kind,
                source.url,
                len(gone),
                held,
            )
            return
        await review_changes.removed_seen(
            session, brand_id=source.brand_id, mention_ids=gone, now=now
        )
        report.removed = len(gone)

    async def _store_coverage(
        self, report: PollReport, session: AsyncSession, result: PollResult, now: datetime
    ) -> None:
        source = report.source
        if not report.reconciled:
            await sources_repo.save_coverage(
                session,
                source.id,
                now=now,
                site_total=result.site_total,
                reconciled=False,
                note=None,
            )
            return
        held = (await mentions_repo.held_count(session, [source.id]))[source.id]
        gap: CoverageGap | None = None
        if result.site_total is not None and held < result.site_total:
            gap = CoverageGap.NOT_LISTED if result.reached_end else CoverageGap.LISTING_CUT
        before = await sources_repo.save_coverage(
            session,
            source.id,
            now=now,
            site_total=result.site_total,
            reconciled=True,
            note=gap,
        )
        await health.record_coverage_gap(
            session,
            source,
            gap=gap,
            before=before,
            site_total=result.site_total,
            held=held,
            now=now,
        )

    def _history_cutoff(self, result: PollResult, started: datetime) -> datetime:
        """What the first poll covered: reviews older than this, found later, are history."""
        cutoff = started - timedelta(days=self._options.backfill_days)
        dated = [i.published_at for i in result.items if i.published_at is not None]
        if not result.reached_end and dated:
            # Cut by the item limit or the page bound: what lies below was not read.
            cutoff = max(cutoff, min(dated))
        return cutoff

    async def _failed(self, report: PollReport, error: SourceError) -> None:
        source = report.source
        # The source's kind and URL are shown beside the message wherever it is read.
        report.error = str(error.args[0]) if error.args else str(error)
        # The library's own exception, when there is one, tells a developer the most.
        report.error_kind = type(error.__cause__ or error).__name__
        log.warning("source %s %s failed: %s", source.kind, source.url, error)
        now = self._clock()
        interval = source.interval_seconds
        wait = backoff(
            source.consecutive_failures,
            base=interval,
            cap=interval * self._options.max_backoff_factor,
        )
        if isinstance(error, RateLimited) and error.retry_after:
            wait = max(wait, error.retry_after)
        async with self._sessions.begin() as session:
            failures = await sources_repo.save_poll_failure(
                session,
                source.id,
                now=now,
                next_poll_at=self._next_poll(now, wait),
                error=report.error,
            )
            report.health = await health.record_failure(
                session,
                source,
                error,
                failures=failures,
                threshold=self._options.unhealthy_after,
                now=now,
            )

    async def _classify_safely(
        self, items: list[NewMention], *, brand: str
    ) -> list[ClassificationInput | None]:
        """A failing classifier must not lose reviews: store them unlabelled for a later pass."""
        if not items:
            return []
        inputs = [
            TextInput(text=title_and_text(item.title, item.text), rating=item.rating, brand=brand)
            for item in items
        ]
        try:
            return list(await self._classify(inputs))
        except OtklikError as exc:
            log.error("classifier failed, storing %d mentions unlabelled: %s", len(items), exc)
            return [None] * len(items)

    async def _classify(self, inputs: list[TextInput]) -> list[ClassificationInput]:
        out: list[ClassificationInput] = []
        size = self._options.classify_batch
        for start in range(0, len(inputs), size):
            for verdict in await self._classifier.classify(inputs[start : start + size]):
                out.append(
                    ClassificationInput(
                        label=verdict.label,
                        score=verdict.score,
                        scores=dict(verdict.scores),
                        touchpoints=[
                            {"tag": t.tag, "polarity": t.polarity} for t in verdict.touchpoints
                        ],
                        needs_review=verdict.needs_review,
                    )
                )
        return out

    def _next_poll(self, now: datetime, seconds: float) -> datetime:
        return now + timedelta(seconds=jittered(seconds, self._options.jitter))

    @staticmethod
    def _to_new_mention(item: ScrapedItem) -> NewMention:
        return NewMention(
            external_id=item.external_id,
            url=item.url,
            text=item.text,
            author=item.author,
            rating=item.rating,
            title=item.title,
            business_reply=item.reply,
            published_at=item.published_at,
            language=item.language,
            extra=dict(item.extra),
        )


def title_and_text(title: str | None, text: str) -> str:
    """What a review says, title first: both are read by the classifier and by people."""
    return f"{title}. {text}" if title and text else (title or text)


def _first_line(message: str) -> str:
    return (message.strip().splitlines() or ["refused by the database"])[0][:300]
