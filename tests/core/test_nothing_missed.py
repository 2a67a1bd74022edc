"""Nothing missed: late, reordered, edited, answered and removed reviews, coverage against the
site's own count, and the backlog note on connect — each through the real fetch path from the
local site server, the real pipeline and the real sender to the fake Telegram."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from common.vocabulary import OutboxKind, SourceHealth
from otklik.commands.sources import show
from otklik.console import ConsoleNotifier
from otklik.pipeline import PipelineOptions
from otklik.sender import Sender
from otklik.settings import Settings
from reports.build import build_figures
from reports.periods import parse_period
from reports.telegram import digest_html
from storage.models import CaseEvent, MentionRevision, Source
from storage.records import HealthNotice
from storage.repositories import stats
from storage.repositories.outbox import enqueue
from storage.repositories.revisions import ratings_raised_after_reply
from tests.core.completeness import OWNER, harness
from tests.fakes.telegram_api import FakeTelegram

HOUR = timedelta(hours=1)


def _sqlite(tmp_path) -> str:  # type: ignore[no-untyped-def]
    return f"sqlite+aiosqlite:///{tmp_path / 'otklik.db'}"


async def test_a_late_review_with_an_older_date_alerts_once_with_both_times(
    tmp_path, fake_telegram: FakeTelegram
) -> None:
    async with harness(_sqlite(tmp_path)) as h:
        h.site.add("a", "Хорошее место", rating=5, age=1 * HOUR)
        h.site.add("b", "Вкусно", rating=5, age=2 * HOUR)
        first = await h.poll()
        assert first.backfill and first.alerts_queued == 0
        # Moderated for two days, published under its original date, below the newer ones.
        h.site.add("late", "Ужасно, нахамили и обсчитали", rating=1, age=48 * HOUR)
        report = await h.poll()
        assert [m.external_id for m in report.new_mentions] == ["late"]
        assert (report.cases_opened, report.alerts_queued) == (1, 1)
        assert (await h.poll()).new_mentions == []  # seen once, alerted once
        await h.deliver(fake_telegram)
    alert = await fake_telegram.wait_for(
        "sendMessage", chat_id=OWNER, predicate=lambda c: "нахамили" in (c.text or "")
    )
    assert "написан" in (alert.text or "") and "появился на сайте" in (alert.text or "")
    alerts = [c for c in fake_telegram.calls_of("sendMessage") if "нахамили" in (c.text or "")]
    assert len(alerts) == 1


async def test_a_reordered_listing_loses_nothing(tmp_path) -> None:
    async with harness(_sqlite(tmp_path), page_size=2) as h:
        for n in range(6):
            h.site.add(f"r{n}", f"Отзыв {n}", rating=5, age=(n + 1) * HOUR)
        await h.poll()
        h.site.shuffle(random.Random(7))
        h.site.add("new-top", "Ужасно", rating=1, age=30 * HOUR, at=0)
        h.site.add("new-deep", "Плохо, грязно", rating=2, age=3 * HOUR, at=len(h.site.reviews))
        await h.poll()
        await h.reconcile()  # the daily full walk reaches what the incremental poll did not
        assert await h.shown() == h.site.ids
        alerts = await h.outbox("alert")
        assert sorted(a.dedup_key.split(":")[1] for a in alerts) == sorted(
            str(m.id) for k, m in (await h.stored()).items() if k.startswith("new-")
        )


async def test_an_edited_rating_updates_mention_case_and_alert_and_is_told_once(
    tmp_path, fake_telegram: FakeTelegram
) -> None:
    async with harness(_sqlite(tmp_path)) as h:
        h.site.add("old", "Нормально", rating=4, age=5 * HOUR)
        await h.poll()
        h.site.add("r1", "Ужасно: ждали час, официант нахамил", rating=1, age=HOUR)
        await h.poll()
        await h.deliver(fake_telegram)
        alert = await fake_telegram.wait_for(
            "sendMessage", chat_id=OWNER, predicate=_has("нахамил")
        )

        # The business answers on 2GIS itself: the case is replied without a button.
        h.site.answer("r1", "Простите нас, мы разобрались")
        answered = await h.poll()
        assert answered.replies_seen == 1
        case = await h.case_of("r1")
        assert case is not None and case.status == "replied" and case.reply_state == "published"
        assert case.first_response_at is not None and case.reply_published_at is not None

        h.site.edit("r1", text="Всё исправили, спасибо, стало хорошо", rating=4)
        edited = await h.poll()
        assert edited.edited == 1 and edited.new_mentions == []
        mention = (await h.stored())["r1"]
        assert mention.rating == 4 and mention.sentiment_label == "positive"
        assert mention.edited_at is not None and "исправили" in mention.text
        async with h.sessions() as session:
            revision = (await session.scalars(select(MentionRevision))).one()
            events = list(
                await session.scalars(select(CaseEvent.action).where(CaseEvent.case_id == case.id))
            )
            window = {"since": datetime.now(UTC) - HOUR, "until": datetime.now(UTC) + HOUR}
            raised = await ratings_raised_after_reply(session, [mention.brand_id], **window)
            # A branch's digest and another case's card count only their own reviews.
            elsewhere = [
                await ratings_raised_after_reply(
                    session, [mention.brand_id], source_ids=[mention.source_id + 1], **window
                ),
                await ratings_raised_after_reply(
                    session, [mention.brand_id], mention_id=mention.id + 1, **window
                ),
            ]
            mine = await ratings_raised_after_reply(
                session,
                [mention.brand_id],
                source_ids=[mention.source_id],
                mention_id=mention.id,
                **window,
            )
        assert elsewhere == [[], []] and mine == raised
        assert (revision.old_rating, revision.new_rating, revision.after_reply) == (1, 4, True)
        assert "нахамил" in revision.old_text and revision.old_label == "negative"
        assert events == ["opened", "reply_seen", "edited"]
        assert [(r.old_rating, r.new_rating) for r in raised] == [(1.0, 4.0)]

        await h.poll()  # nothing changed since: nothing more to tell
        async with h.sessions() as session:
            brand = await stats.brand_by_id(session, mention.brand_id)
            assert brand is not None
            now = datetime.now(UTC)
            figures = await build_figures(
                session, brand, parse_period("7d", now, "Europe/Moscow"), now
            )
        digest = digest_html(figures, "ru")
        assert "Оценку подняли после ответа: <b>1</b>" in digest
        assert "сайт: 2, у нас: 2" in digest
        mark = fake_telegram.mark()
        await h.deliver(fake_telegram)
    told = await fake_telegram.wait_for("sendMessage", chat_id=OWNER, since=mark)
    assert "Оценка выросла с 1★ до 4★</b> после вашего ответа" in (told.text or "")
    shown = fake_telegram.message(OWNER, alert.result["message_id"])
    assert "★★★★☆" in shown["text"] and "Автор изменил отзыв" in shown["text"]
    assert "опубликован" in shown["text"]  # the reply seen on the site
    news = [c for c in fake_telegram.calls_of("sendMessage") if "Оценка выросла" in (c.text or "")]
    assert len(news) == 1


async def test_a_review_that_turned_negative_alerts(tmp_path) -> None:
    async with harness(_sqlite(tmp_path)) as h:
        h.site.add("old", "Нормально", rating=4, age=5 * HOUR)
        await h.poll()
        h.site.add("r1", "Отлично, вкусно", rating=5, age=HOUR)
        quiet = await h.poll()
        assert quiet.alerts_queued == 0
        h.site.edit("r1", text="Отравились, ужасно", rating=1)
        turned = await h.poll()
        assert turned.edited == 1 and turned.alerts_queued == 1
        case = await h.case_of("r1")
        assert case is not None and case.status == "new"


async def test_a_removed_review_is_kept_marked_and_its_case_closed(
    tmp_path, fake_telegram: FakeTelegram
) -> None:
    async with harness(_sqlite(tmp_path)) as h:
        for n in range(4):
            h.site.add(f"r{n}", f"Хорошо {n}", rating=5, age=(n + 5) * HOUR)
        await h.poll()
        h.site.add("bad", "Ужасно", rating=1, age=HOUR)
        await h.poll()
        await h.deliver(fake_telegram)
        alert = await fake_telegram.wait_for("sendMessage", chat_id=OWNER, predicate=_has("Ужасно"))
        h.site.remove("bad")
        assert (await h.poll()).removed == 0  # an incremental poll proves nothing
        report = await h.reconcile()
        assert report.removed == 1
        stored = await h.stored()
        assert stored["bad"].removed_at is not None and "bad" not in await h.shown()
        case = await h.case_of("bad")
        assert case is not None and case.status == "resolved" and case.closed_at is not None
        async with h.sessions() as session:
            detail = await session.scalar(
                select(CaseEvent.detail).where(
                    CaseEvent.case_id == case.id, CaseEvent.action == "removed"
                )
            )
        assert detail == "removed from the site"
        await h.deliver(fake_telegram)
    shown = fake_telegram.message(OWNER, alert.result["message_id"])
    assert "Отзыв удалён с сайта" in shown["text"] and "решён" in shown["text"]


async def test_coverage_is_stored_shown_and_a_persistent_gap_warned_once(
    tmp_path, capsys, fake_telegram: FakeTelegram
) -> None:
    async with harness(_sqlite(tmp_path)) as h:
        for n in range(5):
            h.site.add(f"r{n}", f"Хорошо {n}", rating=5, age=(n + 1) * HOUR)
        h.site.stated_total = 7  # the site counts two reviews it does not list
        first = await h.poll()
        assert first.reconciled  # the first poll read the listing to its end
        await h.reconcile()
        async with h.sessions() as session:
            source = (await session.scalars(select(Source))).one()
        assert (source.site_total, source.coverage_note) == (7, "not_listed")
        warnings = await h.outbox("coverage")
        assert [w.payload for w in warnings] == [
            {"source_id": source.id, "gap": "not_listed", "site": 7, "held": 5}
        ]
        await h.deliver(fake_telegram)
        told = await fake_telegram.wait_for("sendMessage", chat_id=OWNER, predicate=_has("у нас"))
        assert "на сайте 7, у нас 5" in (told.text or "") and "не показывает" in (told.text or "")
        h.site.stated_total = None
        await h.reconcile()  # the gap closed: the warning goes away
        async with h.sessions() as session:
            assert (await session.scalars(select(Source.coverage_note))).one() is None
        h.site.stated_total = 7
        await h.reconcile()
        config = tmp_path / "otklik.toml"
        config.write_text(
            f'[[brands]]\nname = "Кофемания"\nowners = [{OWNER}]\n'
            f'[[brands.sources]]\nkind = "twogis"\nurl = "{h.site.page_url}"\n'
            f'key = "test-key"\napi_base = "{h.site.server.origin}"\n',
            encoding="utf-8",
        )
    settings = Settings(
        database_url=_sqlite(tmp_path),
        config=config,
        _env_file=None,  # type: ignore[call-arg]
    )
    assert await show(settings) == 0
    out = capsys.readouterr().out
    assert "site: 7, held: 5" in out and "coverage warning: the site counts reviews" in out


async def test_the_first_poll_leaves_one_backlog_note_with_the_right_counts(
    tmp_path, fake_telegram: FakeTelegram
) -> None:
    async with harness(_sqlite(tmp_path)) as h:
        h.site.add("n1", "Ужасно", rating=1, age=2 * HOUR)
        h.site.add("n2", "Плохо", rating=2, age=3 * HOUR)
        h.site.add("n3", "Грязно", rating=1, age=4 * HOUR)
        h.site.answer("n3", "Простите, разберёмся")  # answered on the site: not backlog
        h.site.add("p1", "Отлично", rating=5, age=5 * HOUR)
        h.site.add("old", "Ужасно", rating=1, age=40 * 24 * HOUR)  # older than the backfill
        first = await h.poll()
        assert first.backfill and first.alerts_queued == 0 and len(first.new_mentions) == 4
        await h.poll()
        assert len(await h.outbox("backlog")) == 1
        await h.deliver(fake_telegram)
        await h.deliver(fake_telegram)
    notes = [c for c in fake_telegram.calls_of("sendMessage") if "/backlog" in (c.text or "")]
    assert len(notes) == 1 and notes[0].chat_id == OWNER
    # The owner can tell this source from the brand's other 2GIS pages.
    assert "Источник добавлен: 2ГИС · Кофемания\nhttp" in (notes[0].text or "")
    assert "Прочитано отзывов за 30 дн.: 4, негативных без ответа: 2 — /backlog" in (
        notes[0].text or ""
    )


def _has(text: str):  # type: ignore[no-untyped-def]
    return lambda call: text in (call.text or "")


async def test_what_the_first_poll_left_unread_is_history_not_news(tmp_path) -> None:
    async with harness(_sqlite(tmp_path), options=PipelineOptions(backfill_limit=2)) as h:
        for n in range(5):
            h.site.add(f"r{n}", "Ужасно", rating=1, age=(n + 1) * HOUR)
        first = await h.poll()
        assert len(first.new_mentions) == 2 and not first.reconciled
        walk = await h.poll()  # the listing was not read to its end: the full walk comes next
        assert walk.reconciled and len(walk.new_mentions) == 3 and walk.alerts_queued == 0
        assert all(m.backfill for m in walk.new_mentions)
        h.site.add("late", "Ужасно", rating=1, age=90 * timedelta(minutes=1), at=4)
        late = await h.poll()
        assert [m.external_id for m in late.new_mentions] == ["late"] and late.alerts_queued == 1


async def test_without_a_bot_the_console_prints_the_backlog_note_and_updates(tmp_path) -> None:
    async with harness(_sqlite(tmp_path)) as h:
        h.site.add("old", "Плохо", rating=2, age=5 * HOUR)
        await h.poll()
        h.site.add("r1", "Ужасно", rating=1, age=HOUR)
        await h.poll()
        h.site.answer("r1", "Простите")
        h.site.edit("r1", rating=5, text="Отлично, всё исправили")
        await h.poll()
        out = io.StringIO()
        await Sender(h.sessions, ConsoleNotifier(h.sessions, out=out)).drain_once()
    lines = out.getvalue().splitlines()
    assert any(
        line.startswith(
            f"BACKLOG → chat {OWNER}: source added (twogis): 1 reviews read over 30 days, "
            "1 negative without an answer"
        )
        for line in lines
    )
    assert any(line.startswith(f"ALERT → chat {OWNER} case #1") for line in lines)
    assert any("UPDATE" in line and "rating raised 1★ → 5★" in line for line in lines)


async def test_without_a_bot_the_console_words_a_source_health_notice(tmp_path) -> None:
    """A health notice's payload holds facts; the console says what the bot would."""
    async with harness(_sqlite(tmp_path)) as h:
        await h.poll()
        async with h.sessions.begin() as session:
            source = (await session.scalars(select(Source))).one()
            notice = HealthNotice(source.id, SourceHealth.UNHEALTHY, failures=3, error="HTTP 503")
            await enqueue(
                session, dedup_key="health:test", chat_id=OWNER, kind=OutboxKind.HEALTH,
                now=datetime.now(UTC), brand_id=source.brand_id, payload=notice.to_payload(),
            )  # fmt: skip
        out = io.StringIO()
        await Sender(h.sessions, ConsoleNotifier(h.sessions, out=out)).drain_once()
    printed = out.getvalue()
    assert f"HEALTH → chat {OWNER}: " in printed
    assert source.url in printed and "HTTP 503" in printed
