"""foundation: schools, members and their roles, invites and wrong-code attempts

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "school",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=2), nullable=False),
        sa.Column("route_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school")),
    )
    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("conversation", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member")),
        sa.UniqueConstraint("telegram_user_id", name=op.f("uq_member_telegram_user_id")),
    )
    op.create_table(
        "member_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_member_role_member_id_member"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_member_role_school_id_school"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_role")),
        sa.UniqueConstraint(
            "member_id", "school_id", "role", name=op.f("uq_member_role_member_id_school_id_role")
        ),
    )
    op.create_index(op.f("ix_member_role_member_id"), "member_role", ["member_id"])
    op.create_index(op.f("ix_member_role_school_id"), "member_role", ["school_id"])
    op.create_table(
        "invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("used_by_member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_invite_school_id_school"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["used_by_member_id"],
            ["member.id"],
            name=op.f("fk_invite_used_by_member_id_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_invite_code_hash")),
    )
    op.create_index(op.f("ix_invite_school_id"), "invite", ["school_id"])
    op.create_table(
        "invite_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite_attempt")),
    )
    op.create_index(op.f("ix_invite_attempt_user_key"), "invite_attempt", ["user_key"])


def downgrade() -> None:
    op.drop_index(op.f("ix_invite_attempt_user_key"), table_name="invite_attempt")
    op.drop_table("invite_attempt")
    op.drop_index(op.f("ix_invite_school_id"), table_name="invite")
    op.drop_table("invite")
    op.drop_index(op.f("ix_member_role_school_id"), table_name="member_role")
    op.drop_index(op.f("ix_member_role_member_id"), table_name="member_role")
    op.drop_table("member_role")
    op.drop_table("member")
    op.drop_table("school")
