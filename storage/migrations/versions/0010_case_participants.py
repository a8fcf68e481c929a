"""Case participants: the members involved in a case and why, which the access policy decides by (need-to-
know by participation, issue 12). Running cases get theirs from their timeline: the creator signalled it,
and every member on it took part in the role they acted in (flows.participants.from_timeline).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# The same statements as storage.repositories.cases.BACKFILL_PARTICIPANTS (kept here: a migration never
# imports code that may change after it). The table is new, so no row can exist yet.
BACKFILL = (
    """
INSERT INTO case_participant (case_id, member_id, reason, step, at)
SELECT id, created_by, 'signalled', NULL, created_at FROM case_file
WHERE created_by IS NOT NULL
""",
    """
INSERT INTO case_participant (case_id, member_id, reason, step, at)
SELECT case_id, member_id, role, NULL, MIN(at) FROM timeline_entry
WHERE member_id IS NOT NULL AND role IS NOT NULL
GROUP BY case_id, member_id, role
""",
)


def upgrade() -> None:
    op.create_table(
        "case_participant",
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("case_file.id", ondelete="CASCADE", name="fk_case_participant_case_id_case_file"),
            nullable=False,
        ),
        sa.Column(
            "member_id",
            sa.Integer(),
            sa.ForeignKey("member.id", ondelete="CASCADE", name="fk_case_participant_member_id_member"),
            nullable=False,
        ),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("step", sa.String(40), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "member_id", "reason", name="pk_case_participant"),
    )
    for statement in BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("case_participant")
