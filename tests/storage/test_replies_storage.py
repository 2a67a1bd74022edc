"""Reply settings, templates, drafts and thanks on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Brand, Mention, Source
from storage.repositories import praise as praise_repo
from storage.repositories import replies as replies_repo
from storage.repositories.replies import NewDraft, ReplyConfigInput

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


async def brand_with_reviews(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, list[int]]:
    async with sessions.begin() as session:
        brand = Brand(name="Кофемания", aliases=["Кофемания"], created_at=NOW)
        session.add(brand)
        await session.flush()
        source = Source(brand_id=brand.id, kind="twogis", url="https://2gis.ru/f/1", created_at=NOW)
        session.add(source)
        await session.flush()
        rows = [
            # (label, needs_review, backfill, business_reply, seen)
            ("positive", False, False, None, NOW),
            ("positive", True, False, None, NOW),
            ("positive", False, True, None, NOW),
            ("positive", False, False, "Спасибо!", NOW),
            ("negative", False, False, None, NOW),
            ("positive", False, False, None, NOW - timedelta(days=1)),
        ]
        mentions = []
        for index, (label, flagged, backfill, answered, seen) in enumerate(rows):
            mention = Mention(
                source_id=source.id,
                brand_id=brand.id,
                dedup_key=f"r{index}",
                content_hash=f"h{index}",
                text="Отлично!",
                first_seen_at=seen,
                sentiment_label=label,
                needs_review=flagged,
                backfill=backfill,
                business_reply=answered,
            )
            session.add(mention)
            mentions.append(mention)
        await session.flush()
        return brand.id, [m.id for m in mentions]


async def test_settings_templates_and_drafts(sessions: async_sessionmaker[AsyncSession]) -> None:
    brand_id, mentions = await brand_with_reviews(sessions)
    spec = ReplyConfigInput(
        approval=True,
        signature="Команда",
        rules=("Не обещать скидки",),
        templates={("ru", "opening.negative"): ("Простите.",)},
    )
    async with sessions.begin() as session:
        assert (await replies_repo.reply_settings(session, brand_id)).approval is False
        await replies_repo.sync_reply_config(session, brand_id, spec, NOW)
        await replies_repo.set_template(
            session, brand_id, "en", "signature.default", ("The team",), user_id=7, now=NOW
        )
    async with sessions.begin() as session:
        stored = await replies_repo.reply_settings(session, brand_id)
        assert (stored.approval, stored.signature, stored.rules) == (
            True,
            "Команда",
            ("Не обещать скидки",),
        )
        templates = await replies_repo.templates_of(session, brand_id)
        assert [(t.language, t.key, t.variants, t.origin) for t in templates] == [
            ("en", "signature.default", ("The team",), "chat"),
            ("ru", "opening.negative", ("Простите.",), "config"),
        ]
        assert await replies_repo.reset_template(session, brand_id, "en", "signature.default")
        assert not await replies_repo.reset_template(session, brand_id, "en", "signature.default")

        def new(fingerprint: str, day: str = "2026-03-02") -> NewDraft:
            return NewDraft(
                brand_id,
                mentions[4],
                None,
                day,
                fingerprint,
                "текст",
                "template",
                None,
                None,
                "ru",
                7,
            )

        first = await replies_repo.add_draft(session, new("a"), NOW)
        await replies_repo.add_draft(session, new("b"), NOW)
        await replies_repo.add_draft(session, new("c", day="2026-03-01"), NOW)
        assert await replies_repo.fingerprints_of_day(session, brand_id, "2026-03-02") == {"a", "b"}
        await replies_repo.set_draft_state(session, first.id, "discarded")
    async with sessions() as session:
        found = await replies_repo.get_draft(session, first.id)
        assert found is not None and found.state == "discarded"


async def test_praise_candidates_and_a_single_claim(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    brand_id, mentions = await brand_with_reviews(sessions)
    async with sessions.begin() as session:
        assert await praise_repo.candidates(session) == []  # thanks are off
        await replies_repo.sync_reply_config(session, brand_id, ReplyConfigInput(thanks=True), NOW)
    async with sessions.begin() as session:
        found = await praise_repo.candidates(session)
        # Only the plain positive review found since thanks were switched on.
        assert [c.mention_id for c in found] == [mentions[0]]
        praise_id = await praise_repo.claim(session, mentions[0], brand_id, NOW)
        assert praise_id is not None
        assert await praise_repo.claim(session, mentions[0], brand_id, NOW) is None
        assert await praise_repo.candidates(session) == []
        await praise_repo.set_state(session, praise_id, "posted", user_id=7, now=NOW)
