"""branches, competitors and spike incidents

Revision ID: 0006_insight
Revises: 0003_hardening
Create Date: 2026-12-01 19:54:43.951272
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0006_insight"
down_revision = "0003_hardening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "branches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_branches_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_branches")),
        sa.UniqueConstraint("brand_id", "name", name=op.f("uq_branches_brand_id_name")),
    )
    with op.batch_alter_table("branches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_branches_brand_id"), ["brand_id"], unique=False)

    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("started_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("negatives", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_incidents_branch_id_branches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_incidents_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_incidents_scope_last", ["brand_id", "branch_id", "last_at"], unique=False
        )

    with op.batch_alter_table("brand_chats", schema=None) as batch_op:
        batch_op.add_column(sa.Column("branch_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_brand_chats_branch_id_branches"),
            "branches",
            ["branch_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("brands", schema=None) as batch_op:
        batch_op.add_column(sa.Column("competitor_of_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_brands_competitor_of_id"), ["competitor_of_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_brands_competitor_of_id_brands"),
            "brands",
            ["competitor_of_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("branch_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_invites_branch_id_branches"),
            "branches",
            ["branch_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("branch_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_members_branch_id_branches"),
            "branches",
            ["branch_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("branch_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_sources_branch_id"), ["branch_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_sources_branch_id_branches"),
            "branches",
            ["branch_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_sources_branch_id_branches"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_sources_branch_id"))
        batch_op.drop_column("branch_id")

    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_invites_branch_id_branches"), type_="foreignkey")
        batch_op.drop_column("branch_id")

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_members_branch_id_branches"), type_="foreignkey")
        batch_op.drop_column("branch_id")

    with op.batch_alter_table("brands", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_brands_competitor_of_id_brands"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_brands_competitor_of_id"))
        batch_op.drop_column("competitor_of_id")

    with op.batch_alter_table("brand_chats", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_brand_chats_branch_id_branches"), type_="foreignkey"
        )
        batch_op.drop_column("branch_id")

    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_scope_last")

    op.drop_table("incidents")
    with op.batch_alter_table("branches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_branches_brand_id"))

    op.drop_table("branches")
