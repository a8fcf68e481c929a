"""The shared token buckets (`rate_bucket`) unlogged on PostgreSQL.

Every update takes a token from its sender's bucket in a statement of its own, and every Telegram send
from the send budget's. A logged table made each take wait for the write-ahead log to reach the disk: in
bench/scaleout.py the takes were half of all the time backends spent waiting for WAL syncs, and two workers
sat on them with a core idle. A transaction that writes only unlogged tables commits without that wait.

What is given up is nothing a bucket needs: after a crash PostgreSQL empties an unlogged table, and an
empty bucket is a full one (every sender may burst once; Telegram's own limits then answer with 429 and
retry_after, which the senders honour). SQLite has no such tables: nothing to do there.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE rate_bucket SET UNLOGGED")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE rate_bucket SET LOGGED")
