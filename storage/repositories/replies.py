"""How brands answer: reply settings and template overrides (config and chat), the drafts
shown to the team, and which fingerprints a brand's drafts already used on a day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.vocabulary import DraftState, SourceOrigin
from storage.models import ReplyDraft, ReplySettings, ReplyTemplate


@dataclass(frozen=True, slots=True)
class ReplyConfigInput:
    """The `[brands.replies]` table of the config file."""

    approval: bool = False
    thanks: bool = False
    thanks_delay_minutes: int = 30
    signature: str | None = None
    tone_notes: str = ""
    rules: tuple[str, ...] = ()
    allow_offers: bool = False
    # (language, key) → variants
    templates: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReplySettingsRecord:
    brand_id: int
    approval: bool = False
    thanks: bool = False
    thanks_delay_minutes: int = 30
    thanks_since: datetime | None = None
    signature: str | None = None
    tone_notes: str = ""
    rules: tuple[str, ...] = ()
    allow_offers: bool = False


@dataclass(frozen=True, slots=True)
class TemplateRecord:
    language: str
    key: str
    variants: tuple[str, ...]
    origin: str


@dataclass(frozen=True, slots=True)
class DraftRecord:
    id: int
    brand_id: int
    mention_id: int
    case_id: int | None
    text: str
    origin: str
    fallback: str | None
    note: str | None
    language: str
    state: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewDraft:
    brand_id: int
    mention_id: int
    case_id: int | None
    day: str
    fingerprint: str
    text: str
    origin: str
    fallback: str | None
    note: str | None
    language: str
    created_by: int | None


async def sync_reply_config(
    session: AsyncSession, brand_id: int, spec: ReplyConfigInput, now: datetime
) -> None:
    """Write the file's reply settings; the file's templates replace earlier config ones
    (chat edits of other keys stay). Thanks count from the moment they were switched on."""
    row = await session.get(ReplySettings, brand_id)
    if row is None:
        row = ReplySettings(brand_id=brand_id, updated_at=now)
        session.add(row)
    if spec.thanks and not row.thanks:
        row.thanks_since = now
    row.approval = spec.approval
    row.thanks = spec.thanks
    row.thanks_delay_minutes = spec.thanks_delay_minutes
    row.signature = spec.signature
    row.tone_notes = spec.tone_notes
    row.rules = list(spec.rules)
    row.allow_offers = spec.allow_offers
    row.updated_at = now
    existing = {
        (t.language, t.key): t
        for t in await session.scalars(
            select(ReplyTemplate).where(ReplyTemplate.brand_id == brand_id)
        )
    }
    for (language, key), variants in spec.templates.items():
        template = existing.get((language, key))
        if template is None:
            template = ReplyTemplate(brand_id=brand_id, language=language, key=key)
            session.add(template)
        template.variants = list(variants)
        template.origin = SourceOrigin.CONFIG
        template.updated_by = None
        template.updated_at = now
    gone = [
        t.id
        for k, t in existing.items()
        if t.origin == SourceOrigin.CONFIG and k not in spec.templates
    ]
    if gone:
        await session.execute(delete(ReplyTemplate).where(ReplyTemplate.id.in_(gone)))
    await session.flush()


async def reply_settings(session: AsyncSession, brand_id: int) -> ReplySettingsRecord:
    """The brand's settings; the defaults where the config names none."""
    row = await session.get(ReplySettings, brand_id)
    if row is None:
        return ReplySettingsRecord(brand_id)
    return ReplySettingsRecord(
        brand_id=row.brand_id,
        approval=row.approval,
        thanks=row.thanks,
        thanks_delay_minutes=row.thanks_delay_minutes,
        thanks_since=row.thanks_since,
        signature=row.signature,
        tone_notes=row.tone_notes,
        rules=tuple(row.rules or ()),
        allow_offers=row.allow_offers,
    )


async def templates_of(session: AsyncSession, brand_id: int) -> list[TemplateRecord]:
    rows = await session.scalars(
        select(ReplyTemplate)
        .where(ReplyTemplate.brand_id == brand_id)
        .order_by(ReplyTemplate.language, ReplyTemplate.key)
    )
    return [TemplateRecord(r.language, r.key, tuple(r.variants), r.origin) for r in rows]


async def set_template(
    session: AsyncSession,
    brand_id: int,
    language: str,
    key: str,
    variants: tuple[str, ...],
    *,
    user_id: int,
    now: datetime,
) -> None:
    row = await session.scalar(
        select(ReplyTemplate).where(
            ReplyTemplate.brand_id == brand_id,
            ReplyTemplate.language == language,
            ReplyTemplate.key == key,
        )
    )
    if row is None:
        row = ReplyTemplate(brand_id=brand_id, language=language, key=key)
        session.add(row)
    row.variants = list(variants)
    row.origin = SourceOrigin.CHAT
    row.updated_by = user_id
    row.updated_at = now
    await session.flush()


async def reset_template(session: AsyncSession, brand_id: int, language: str, key: str) -> bool:
    """Back to the shipped text; False when the brand had no override."""
    result = await session.execute(
        delete(ReplyTemplate)
        .where(
            ReplyTemplate.brand_id == brand_id,
            ReplyTemplate.language == language,
            ReplyTemplate.key == key,
        )
        .returning(ReplyTemplate.id)
    )
    return result.first() is not None


async def fingerprints_of_day(session: AsyncSession, brand_id: int, day: str) -> frozenset[str]:
    rows = await session.scalars(
        select(ReplyDraft.fingerprint).where(ReplyDraft.brand_id == brand_id, ReplyDraft.day == day)
    )
    return frozenset(rows)


async def add_draft(session: AsyncSession, draft: NewDraft, now: datetime) -> DraftRecord:
    """Store a shown draft; an earlier draft of the same case still on screen is replaced."""
    if draft.case_id is not None:
        await session.execute(
            update(ReplyDraft)
            .where(ReplyDraft.case_id == draft.case_id, ReplyDraft.state == DraftState.SHOWN)
            .values(state=DraftState.REPLACED)
        )
    row = ReplyDraft(
        brand_id=draft.brand_id,
        mention_id=draft.mention_id,
        case_id=draft.case_id,
        day=draft.day,
        fingerprint=draft.fingerprint,
        text=draft.text,
        origin=draft.origin,
        fallback=draft.fallback,
        note=draft.note,
        language=draft.language,
        state=DraftState.SHOWN,
        created_by=draft.created_by,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return _draft(row)


async def get_draft(session: AsyncSession, draft_id: int) -> DraftRecord | None:
    row = await session.get(ReplyDraft, draft_id)
    return None if row is None else _draft(row)


async def set_draft_state(session: AsyncSession, draft_id: int, state: str) -> None:
    await session.execute(update(ReplyDraft).where(ReplyDraft.id == draft_id).values(state=state))


def _draft(row: ReplyDraft) -> DraftRecord:
    return DraftRecord(
        id=row.id,
        brand_id=row.brand_id,
        mention_id=row.mention_id,
        case_id=row.case_id,
        text=row.text,
        origin=row.origin,
        fallback=row.fallback,
        note=row.note,
        language=row.language,
        state=row.state,
        created_at=row.created_at,
    )
