"""enrollments waiting for staff approval (enroll_approval = "manual", RFC 7030 §4.2.3)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enrollment_requests",
        sa.Column("user_number", sa.String(length=14), nullable=False),
        sa.Column("key_sha256", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_number"], ["users.user_number"]),
        sa.PrimaryKeyConstraint("user_number"),
    )


def downgrade() -> None:
    op.drop_table("enrollment_requests")
