"""Follow-ups (deadlines on a case's step), the school's holiday calendar and its weekly digest slot.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("case_file.id", ondelete="CASCADE", name="fk_follow_up_case_id_case_file"),
            nullable=False,
        ),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("follow_up", sa.String(40), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("claimed_until", sa.DateTime()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("fired_at", sa.DateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_follow_up"),
    )
    op.create_index("ix_follow_up_case_id", "follow_up", ["case_id"])
    # The claim asks for pending rows by due time; this index keeps that cheap with many rows.
    op.create_index("ix_follow_up_status_due_at", "follow_up", ["status", "due_at"])
    # Existing schools keep their route's region and the default Monday 08:00 digest.
    with op.batch_alter_table("school") as batch:
        batch.add_column(sa.Column("calendar_region", sa.String(60)))
        batch.add_column(sa.Column("digest_weekday", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("digest_time", sa.String(5), nullable=False, server_default="08:00"))


def downgrade() -> None:
    with op.batch_alter_table("school") as batch:
        batch.drop_column("digest_time")
        batch.drop_column("digest_weekday")
        batch.drop_column("calendar_region")
    op.drop_table("follow_up")
