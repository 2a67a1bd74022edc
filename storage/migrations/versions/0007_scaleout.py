"""scale-out: cases by brand and creation time, per-host request pacing shared by workers

Revision ID: 0007_scaleout
Revises: 0004_completeness
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0007_scaleout"
down_revision = "0004_completeness"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # /stats and the digest read a brand's cases by creation time; no index covered it.
    op.create_index("ix_cases_brand_created", "cases", ["brand_id", "created_at"])
    op.create_table(
        "host_pace",
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("next_start_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("host", name=op.f("pk_host_pace")),
    )


def downgrade() -> None:
    op.drop_table("host_pace")
    op.drop_index("ix_cases_brand_created", table_name="cases")
