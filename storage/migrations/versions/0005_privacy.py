"""Privacy: the append-only audit trail, sealed display names, and a mark for anonymised cases.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

APPEND_ONLY = "audit_entry is append-only"


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("member_id", sa.Integer()),
        sa.Column("role", sa.String(200)),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("school_id", sa.Integer()),
        sa.Column("case_ref", sa.String(16)),
        sa.Column("pupil_label", sa.String(20)),
        sa.Column("channel", sa.String(12), nullable=False),
        sa.Column("via", sa.String(80), nullable=False),
        sa.Column("detail", sa.String(200)),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entry"),
    )
    op.create_index("ix_audit_entry_at", "audit_entry", ["at"])
    op.create_index("ix_audit_entry_member_id", "audit_entry", ["member_id"])
    op.create_index("ix_audit_entry_case_ref", "audit_entry", ["case_ref"])
    op.add_column("case_file", sa.Column("anonymised_at", sa.DateTime()))

    if op.get_bind().dialect.name == "postgresql":
        # A sealed name is a Fernet token, longer than the VARCHAR(200) the name had (see storage.base).
        op.alter_column("member", "display_name", type_=sa.Text(), existing_nullable=False)
        op.alter_column("invite", "display_name", type_=sa.Text(), existing_nullable=True)
        # The database itself refuses to rewrite the trail, whatever code (or person) connects.
        op.execute(
            "CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_entry_no_{verb.lower()} BEFORE {verb} ON audit_entry "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entry_no_truncate ON audit_entry")
        op.execute("DROP TRIGGER audit_entry_no_change ON audit_entry")
        op.execute("DROP FUNCTION audit_entry_append_only()")
    else:
        op.execute("DROP TRIGGER audit_entry_no_update")
        op.execute("DROP TRIGGER audit_entry_no_delete")
    op.drop_column("case_file", "anonymised_at")
    op.drop_table("audit_entry")
