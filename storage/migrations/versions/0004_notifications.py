"""Notification preferences, VOT meetings and their answers, and the provider's delivery status.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification_pref",
        sa.Column(
            "member_id",
            sa.Integer(),
            sa.ForeignKey("member.id", ondelete="CASCADE", name="fk_notification_pref_member_id_member"),
            nullable=False,
        ),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("whatsapp", sa.String(20)),
        sa.Column("quiet_start", sa.Integer()),
        sa.Column("quiet_end", sa.Integer()),
        sa.Column("quiet_weekends", sa.Boolean(), nullable=False),
        sa.Column("last_whatsapp_inbound_at", sa.DateTime()),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", name="pk_notification_pref"),
    )
    op.create_index("ix_notification_pref_whatsapp", "notification_pref", ["whatsapp"])
    op.create_table(
        "vot_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(80), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column(
            "school_id",
            sa.Integer(),
            sa.ForeignKey("school.id", ondelete="CASCADE", name="fk_vot_meeting_school_id_school"),
            nullable=False,
        ),
        sa.Column(
            "planner_id",
            sa.Integer(),
            sa.ForeignKey("member.id", ondelete="SET NULL", name="fk_vot_meeting_planner_id_member"),
        ),
        sa.Column("start_at", sa.DateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("video_url", sa.String(300), nullable=False),
        sa.Column("agenda", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_vot_meeting"),
        sa.UniqueConstraint("uid", name="uq_vot_meeting_uid"),
    )
    op.create_index("ix_vot_meeting_school_id", "vot_meeting", ["school_id"])
    op.create_index("ix_vot_meeting_start_at", "vot_meeting", ["start_at"])
    op.create_table(
        "vot_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "meeting_id",
            sa.Integer(),
            sa.ForeignKey(
                "vot_meeting.id", ondelete="CASCADE", name="fk_vot_response_meeting_id_vot_meeting"
            ),
            nullable=False,
        ),
        sa.Column(
            "member_id",
            sa.Integer(),
            sa.ForeignKey("member.id", ondelete="CASCADE", name="fk_vot_response_member_id_member"),
            nullable=False,
        ),
        sa.Column("answer", sa.String(8), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_vot_response"),
        sa.UniqueConstraint("meeting_id", "member_id", name="uq_vot_response_meeting_id_member_id"),
    )
    op.create_index("ix_vot_response_meeting_id", "vot_response", ["meeting_id"])
    # batch: SQLite cannot ALTER TABLE ADD COLUMN with everything PostgreSQL can; batch mode works on both.
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("delivery_status", sa.String(12)))
        batch.create_index("ix_outbox_provider_id", ["provider_id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_provider_id")
        batch.drop_column("delivery_status")
    op.drop_table("vot_response")
    op.drop_table("vot_meeting")
    op.drop_table("notification_pref")
