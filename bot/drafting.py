"""Drafts for cases and praise: the stored review and the brand's voice become a
replies.DraftRequest; the draft comes back and is stored with its fingerprint for the day."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from replies import Drafter, DraftRequest, Review, Tone, Touchpoint, Voice
from storage.records import MentionRecord
from storage.repositories import brands_admin
from storage.repositories import replies as replies_repo
from storage.repositories.replies import DraftRecord, NewDraft

_TONES = {tone.value: tone for tone in Tone}


def review_of(mention: MentionRecord) -> Review:
    touchpoints = tuple(
        Touchpoint(str(item.get("tag", "")), _TONES[str(item.get("polarity"))])
        for item in mention.touchpoints
        if item.get("tag") and str(item.get("polarity")) in _TONES
    )
    text = "\n".join(part for part in (mention.title, mention.text) if part)
    return Review(
        text=text,
        author=mention.author,
        rating=mention.rating,
        tone=_TONES.get(mention.sentiment_label or "", Tone.NEUTRAL),
        touchpoints=touchpoints,
        platform=mention.source_kind,
    )


async def voice_of(session: AsyncSession, brand_id: int, brand_name: str) -> Voice:
    settings = await replies_repo.reply_settings(session, brand_id)
    templates = await replies_repo.templates_of(session, brand_id)
    return Voice(
        brand=brand_name,
        signature=settings.signature,
        tone_notes=settings.tone_notes,
        rules=settings.rules,
        allow_offers=settings.allow_offers,
        templates={(t.language, t.key): t.variants for t in templates},
    )


async def new_draft(
    session: AsyncSession,
    drafter: Drafter,
    mention: MentionRecord,
    *,
    case_id: int | None,
    actor_id: int | None,
    now: datetime,
) -> DraftRecord:
    """A draft reading differently from every draft of the brand today, stored as shown."""
    zone = await brands_admin.brand_timezone(session, mention.brand_id)
    day = now.astimezone(ZoneInfo(zone)).date().isoformat()
    avoid = await replies_repo.fingerprints_of_day(session, mention.brand_id, day)
    voice = await voice_of(session, mention.brand_id, mention.brand_name)
    # Seeded by the review and how many drafts exist, so a rerun is reproducible and a
    # regeneration starts from other variants.
    request = DraftRequest(review_of(mention), voice, avoid, seed=mention.id * 7919 + len(avoid))
    draft = await drafter.draft(request)
    return await replies_repo.add_draft(
        session,
        NewDraft(
            brand_id=mention.brand_id,
            mention_id=mention.id,
            case_id=case_id,
            day=day,
            fingerprint=draft.fingerprint,
            text=draft.text,
            origin=draft.origin,
            fallback=draft.fallback,
            note=draft.note,
            language=draft.language,
            created_by=actor_id,
        ),
        now,
    )
