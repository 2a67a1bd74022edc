"""Competitor brands: watched beside a brand for comparison only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Brand
from storage.repositories.stats import BrandInfo


async def competitors_of(session: AsyncSession, brand_id: int) -> list[BrandInfo]:
    rows = await session.scalars(
        select(Brand).where(Brand.competitor_of_id == brand_id).order_by(Brand.name)
    )
    return [BrandInfo(row.id, row.name, row.timezone, row.created_at) for row in rows]
