"""drop sources.consecutive_empty: nothing ever read or wrote it

Revision ID: 0002_sweep
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_sweep"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("consecutive_empty")


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(
            sa.Column("consecutive_empty", sa.Integer(), nullable=False, server_default="0")
        )
