"""Corrections from the bot are stored, relabel the mention, and come back for retraining."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Brand, LabelCorrection, Mention, Source
from storage.repositories.corrections import add_correction, corrections_for_training

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


async def make_mention(session: AsyncSession, text: str, key: str) -> int:
    brand = await session.scalar(select(Brand).where(Brand.name == "Кофемания"))
    if brand is None:
        brand = Brand(name="Кофемания", created_at=NOW)
        session.add(brand)
        await session.flush()
        session.add(Source(brand_id=brand.id, kind="feed", url="http://x/", created_at=NOW))
        await session.flush()
    source_id = await session.scalar(select(Source.id).where(Source.brand_id == brand.id))
    mention = Mention(
        source_id=source_id,
        brand_id=brand.id,
        dedup_key=key,
        content_hash=key,
        text=text,
        rating=2.0,
        first_seen_at=NOW,
        sentiment_label="positive",
        needs_review=True,
    )
    session.add(mention)
    await session.flush()
    return mention.id


async def test_correction_is_stored_and_read_for_training(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        first = await make_mention(session, "Ну такое, ждали час", "a")
        second = await make_mention(session, "Норм", "b")
        await add_correction(session, first, "neutral", 42, now=NOW)
        await add_correction(session, first, "negative", 43, now=NOW)
        await add_correction(session, second, "neutral", 42, now=NOW)
    async with sessions() as session:
        mention = await session.get(Mention, first)
        assert mention is not None
        assert (mention.sentiment_label, mention.needs_review) == ("negative", False)
        olds = (await session.scalars(select(LabelCorrection.old_label))).all()
        assert sorted(o or "" for o in olds) == ["neutral", "positive", "positive"]
        rows = await corrections_for_training(session)
    by_id = {r.mention_id: r for r in rows}
    assert by_id[first].label == "negative"  # the latest correction wins
    assert by_id[first].text == "Ну такое, ждали час"
    assert (by_id[first].brand, by_id[first].rating) == ("Кофемания", 2.0)
    assert by_id[second].label == "neutral"


async def test_bad_correction_writes_nothing(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        mention_id = await make_mention(session, "текст", "c")
    async with sessions.begin() as session:
        with pytest.raises(ValueError, match="label"):
            await add_correction(session, mention_id, "great", 1)
        with pytest.raises(ValueError, match="no mention"):
            await add_correction(session, 999_999, "negative", 1)
    async with sessions() as session:
        assert (await session.scalars(select(LabelCorrection))).all() == []
