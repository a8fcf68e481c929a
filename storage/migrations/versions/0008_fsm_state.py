"""Dialogue state moves from `member.conversation` to aiogram's FSM, stored in `fsm_state` (bot/fsm.py).

Open conversations are carried over, so nobody loses a half-filled form at the upgrade: a member's
private chat has the member's Telegram id as chat and user, and the old (name, step) pairs map onto the
new states. Then the column goes: SQLite (>= 3.35) and PostgreSQL both drop a plain column in place, so
the member table is not rebuilt (a rebuild would cascade-delete member roles, see storage/base.py).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Kept here, not imported: a migration never depends on code that may change after it (bot/states.py).
# (old conversation name, old step) -> new state; None: every step of that conversation.
STATES = {
    ("case", None): "CaseForm:open",
    ("vot", "date"): "VotPlan:date",
    ("vot", "time"): "VotPlan:time",
    ("vot", "duration"): "VotPlan:duration",
    ("vot", "agenda"): "VotPlan:agenda",
    ("vot", "confirm"): "VotPlan:confirm",
    ("meldingen", "email"): "Meldingen:email",
    ("meldingen", "phone"): "Meldingen:phone",
}


def _carried(name: str, step: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    state = STATES.get((name, None)) or STATES.get((name, step))
    if state is None:
        return None
    if name == "case":
        return state, {"ref": data.get("ref", "")}
    if name == "vot" and "move" in data:  # moving a planned meeting: only date and time are asked
        moved = {"meeting": data["move"], **({"date": data["date"]} if "date" in data else {})}
        return ("VotMove:" + step, moved) if step in ("date", "time") else None
    return state, data


def upgrade() -> None:
    fsm = op.create_table(
        "fsm_state",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(200), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_fsm_state"),
    )
    op.create_index("ix_fsm_state_user_id", "fsm_state", ["user_id"])
    if not op.get_context().as_sql:  # an offline script (a fresh schema) has no conversations to carry
        _carry_over(fsm)
    op.drop_column("member", "conversation")


def _carry_over(fsm: sa.Table) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT telegram_user_id, conversation FROM member "
            "WHERE conversation IS NOT NULL AND telegram_user_id IS NOT NULL"
        )
    )
    carried = []
    for user_id, raw in rows:
        conversation = json.loads(raw) if isinstance(raw, str) else raw
        if not conversation:
            continue
        new = _carried(
            str(conversation.get("name")), str(conversation.get("step")), conversation.get("data") or {}
        )
        if new is not None:
            # aiogram's DefaultKeyBuilder(with_destiny=True) for a private chat: fsm:<chat>:<user>:default
            key = f"fsm:{user_id}:{user_id}:default"
            carried.append({"key": key, "user_id": user_id, "state": new[0], "data": new[1]})
    if carried:
        op.bulk_insert(fsm, carried)


def downgrade() -> None:
    op.add_column("member", sa.Column("conversation", sa.JSON(), nullable=True))
    op.drop_index("ix_fsm_state_user_id", table_name="fsm_state")
    op.drop_table("fsm_state")
