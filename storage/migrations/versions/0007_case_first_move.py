"""The first moment of each move per case, so the route report reads one narrow table instead of grouping
the whole timeline (bench/README.md). Backfilled from the timeline so running cases report as before.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The same statement as storage.repositories.cases.BACKFILL_FIRST_MOVES (kept here: a migration never
# imports code that may change after it).
BACKFILL = """
INSERT INTO case_first_move (case_id, step, to_step, at)
SELECT case_id, step, to_step, MIN(at) FROM timeline_entry
WHERE to_step IS NOT NULL AND to_step <> step
GROUP BY case_id, step, to_step
"""


def upgrade() -> None:
    op.create_table(
        "case_first_move",
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("case_file.id", ondelete="CASCADE", name="fk_case_first_move_case_id_case_file"),
            nullable=False,
        ),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("to_step", sa.String(40), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "step", "to_step", name="pk_case_first_move"),
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_table("case_first_move")
