"""reply drafts, templates, approval settings and thanks for praise

Revision ID: 0005_replies
Revises: 0002_sweep
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0005_replies"
down_revision = "0002_sweep"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reply_settings",
        sa.Column("brand_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("approval", sa.Boolean(), nullable=False),
        sa.Column("thanks", sa.Boolean(), nullable=False),
        sa.Column("thanks_delay_minutes", sa.Integer(), nullable=False),
        sa.Column("thanks_since", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("signature", sa.String(length=300), nullable=True),
        sa.Column("tone_notes", sa.Text(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("allow_offers", sa.Boolean(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_reply_settings_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("brand_id", name=op.f("pk_reply_settings")),
    )
    op.create_table(
        "reply_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("variants", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_reply_templates_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_templates")),
        sa.UniqueConstraint(
            "brand_id", "language", "key", name=op.f("uq_reply_templates_brand_id_language_key")
        ),
    )
    op.create_table(
        "reply_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("fingerprint", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("fallback", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_reply_drafts_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_reply_drafts_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mention_id"],
            ["mentions.id"],
            name=op.f("fk_reply_drafts_mention_id_mentions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_drafts")),
    )
    with op.batch_alter_table("reply_drafts", schema=None) as batch_op:
        batch_op.create_index("ix_reply_drafts_brand_day", ["brand_id", "day"], unique=False)
        batch_op.create_index(batch_op.f("ix_reply_drafts_case_id"), ["case_id"], unique=False)
    op.create_table(
        "praise_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("done_by", sa.BigInteger(), nullable=True),
        sa.Column("done_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_praise_replies_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["reply_drafts.id"],
            name=op.f("fk_praise_replies_draft_id_reply_drafts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mention_id"],
            ["mentions.id"],
            name=op.f("fk_praise_replies_mention_id_mentions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_praise_replies")),
        sa.UniqueConstraint("mention_id", name=op.f("uq_praise_replies_mention_id")),
    )


def downgrade() -> None:
    op.drop_table("praise_replies")
    with op.batch_alter_table("reply_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reply_drafts_case_id"))
        batch_op.drop_index("ix_reply_drafts_brand_day")
    op.drop_table("reply_drafts")
    op.drop_table("reply_templates")
    op.drop_table("reply_settings")
