"""The local date of each first move, as a day number (`date.toordinal()` in the case's time zone), kept on
`case_first_move` beside its moment: the route report groups lead times by these integers instead of
converting 400,000 UTC moments to local dates in SQL (SQLite has no zone data; bench/README.md). Backfilled
here for the moves already stored; `CaseRepository.save` keeps it from now on.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# PostgreSQL knows the zones: the stored naive UTC moment, as a local date in the case's zone, as the
# proleptic Gregorian ordinal Python's `date.toordinal()` gives (1 January of year 1 is day 1).
FILL_POSTGRESQL = """
UPDATE case_first_move AS m
SET day = (timezone(c.timezone, timezone('UTC', m.at)))::date - DATE '0001-01-01' + 1
FROM case_file AS c WHERE c.id = m.case_id AND m.day IS NULL
"""
BATCH = 5_000


def _fill_in_python(connection: sa.Connection) -> None:
    """SQLite has no zone data: the days are counted here, a batch at a time (the same ordinals)."""
    rows = connection.execute(
        sa.text(
            "SELECT m.case_id, m.step, m.to_step, m.at, c.timezone FROM case_first_move AS m "
            "JOIN case_file AS c ON c.id = m.case_id WHERE m.day IS NULL"
        )
    ).all()
    zones: dict[str, ZoneInfo] = {}
    update = sa.text(
        "UPDATE case_first_move SET day = :day WHERE case_id = :c AND step = :s AND to_step = :t"
    )
    for first in range(0, len(rows), BATCH):
        values = []
        for case_id, step, to_step, at, zone in rows[first : first + BATCH]:
            moment = datetime.fromisoformat(at) if isinstance(at, str) else at
            local = zones.setdefault(zone or "Europe/Amsterdam", ZoneInfo(zone or "Europe/Amsterdam"))
            day = moment.replace(tzinfo=UTC).astimezone(local).date().toordinal()
            values.append({"day": day, "c": case_id, "s": step, "t": to_step})
        connection.execute(update, values)


def upgrade() -> None:
    op.add_column("case_first_move", sa.Column("day", sa.Integer(), nullable=True))
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        op.execute(FILL_POSTGRESQL)
    else:
        _fill_in_python(connection)
    with op.batch_alter_table("case_first_move") as batch:
        batch.alter_column("day", existing_type=sa.Integer(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("case_first_move") as batch:
        batch.drop_column("day")
