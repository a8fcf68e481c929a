"""A school's naming preset: the names it uses for roles (Capelle a/d IJssel: CJG-team, contactpersoon CJG).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot ALTER a table beyond adding a column, and stays consistent with PostgreSQL.
    with op.batch_alter_table("school") as batch:
        batch.add_column(sa.Column("naming", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("school") as batch:
        batch.drop_column("naming")
