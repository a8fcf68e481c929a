"""Several workers on one database: updates already handled (dedupe of Telegram's retries), job runs
claimed once per period, and token buckets shared by every worker.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processed_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("replies", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("update_id", name="pk_processed_update"),
    )
    op.create_index("ix_processed_update_at", "processed_update", ["at"])
    op.create_table(
        "job_run",
        sa.Column("job", sa.String(64), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("worker", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("job", "period", name="pk_job_run"),
    )
    op.create_table(
        "rate_bucket",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_rate_bucket"),
    )


def downgrade() -> None:
    op.drop_table("rate_bucket")
    op.drop_table("job_run")
    op.drop_index("ix_processed_update_at", table_name="processed_update")
    op.drop_table("processed_update")
