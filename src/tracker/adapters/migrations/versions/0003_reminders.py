"""index the reminder sweep's due selection

Revision ID: 0003_reminders
Revises: 0001
Create Date: 2026-12-04
"""

from alembic import op

revision = "0003_reminders"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_notifications_status_next_attempt_at",
        "notifications",
        ["status", "next_attempt_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_status_next_attempt_at", table_name="notifications")
