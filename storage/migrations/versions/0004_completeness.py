"""completeness: edited and removed reviews, their revisions, coverage per source

Revision ID: 0004_completeness
Revises: 0005_replies
Create Date: 2026-12-01 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0004_completeness"
down_revision = "0005_replies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mention_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("old_title", sa.Text(), nullable=True),
        sa.Column("old_text", sa.Text(), nullable=False),
        sa.Column("old_rating", sa.Float(), nullable=True),
        sa.Column("new_rating", sa.Float(), nullable=True),
        sa.Column("old_label", sa.String(length=16), nullable=True),
        sa.Column("new_label", sa.String(length=16), nullable=True),
        sa.Column("after_reply", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mention_id"],
            ["mentions.id"],
            name=op.f("fk_mention_revisions_mention_id_mentions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mention_revisions")),
    )
    with op.batch_alter_table("mention_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mention_revisions_mention_id"), ["mention_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_mention_revisions_seen_at"), ["seen_at"], unique=False)

    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("edited_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("removed_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("site_total", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("site_total_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("reconciled_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("coverage_note", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("history_before", storage.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("history_before")
        batch_op.drop_column("coverage_note")
        batch_op.drop_column("reconciled_at")
        batch_op.drop_column("site_total_at")
        batch_op.drop_column("site_total")

    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
        batch_op.drop_column("edited_at")

    with op.batch_alter_table("mention_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mention_revisions_seen_at"))
        batch_op.drop_index(batch_op.f("ix_mention_revisions_mention_id"))

    op.drop_table("mention_revisions")
