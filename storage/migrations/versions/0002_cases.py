"""Cases, pupils, the route versions cases pinned, the append-only timeline, and the outbox.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pupil",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "school_id",
            sa.Integer(),
            sa.ForeignKey("school.id", ondelete="CASCADE", name="fk_pupil_school_id_school"),
            nullable=False,
        ),
        sa.Column("label", sa.String(20), nullable=False),
        sa.Column("number", sa.String(20)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pupil"),
    )
    op.create_index("ix_pupil_school_id", "pupil", ["school_id"])
    op.create_table(
        "route_version",
        sa.Column("route_id", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("stored_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("route_id", "version", name="pk_route_version"),
    )
    op.create_table(
        "case_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(16), nullable=False),
        sa.Column(
            "school_id",
            sa.Integer(),
            sa.ForeignKey("school.id", ondelete="CASCADE", name="fk_case_file_school_id_school"),
            nullable=False,
        ),
        sa.Column("route_id", sa.String(40), nullable=False),
        sa.Column("route_version", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("priority", sa.String(8), nullable=False),
        sa.Column(
            "pupil_id",
            sa.Integer(),
            sa.ForeignKey("pupil.id", ondelete="SET NULL", name="fk_case_file_pupil_id_pupil"),
        ),
        sa.Column(
            "created_by",
            sa.Integer(),
            sa.ForeignKey("member.id", ondelete="SET NULL", name="fk_case_file_created_by_member"),
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime()),
        sa.Column("step_entered_at", sa.DateTime()),
        sa.Column("timezone", sa.String(40), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_file"),
        sa.UniqueConstraint("ref", name="uq_case_file_ref"),
    )
    op.create_index("ix_case_file_school_id", "case_file", ["school_id"])
    op.create_index("ix_case_file_status", "case_file", ["status"])
    op.create_table(
        "timeline_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("case_file.id", ondelete="CASCADE", name="fk_timeline_entry_case_id_case_file"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column(
            "member_id",
            sa.Integer(),
            sa.ForeignKey("member.id", ondelete="SET NULL", name="fk_timeline_entry_member_id_member"),
        ),
        sa.Column("role", sa.String(40)),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("to_step", sa.String(40)),
        sa.PrimaryKeyConstraint("id", name="pk_timeline_entry"),
        sa.UniqueConstraint("case_id", "seq", name="uq_timeline_entry_case_id_seq"),
    )
    op.create_index("ix_timeline_entry_case_id", "timeline_entry", ["case_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column(
            "member_id",
            sa.Integer(),
            sa.ForeignKey("member.id", ondelete="CASCADE", name="fk_outbox_member_id_member"),
            nullable=False,
        ),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("case_file.id", ondelete="SET NULL", name="fk_outbox_case_id_case_file"),
        ),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("claimed_until", sa.DateTime()),
        sa.Column("provider_id", sa.String(200)),
        sa.Column("last_error", sa.Text()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("key", name="uq_outbox_key"),
    )
    for column in ("member_id", "case_id", "status", "due_at"):
        op.create_index(f"ix_outbox_{column}", "outbox", [column])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("timeline_entry")
    op.drop_table("case_file")
    op.drop_table("route_version")
    op.drop_table("pupil")
