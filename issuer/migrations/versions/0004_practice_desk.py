"""the contact person's desk (issue 16): user requests, audit log, message kinds, organisation details

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_number", sa.String(length=14), nullable=False),
        sa.Column("requested_by", sa.String(length=14), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["user_number"], ["users.user_number"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_user_requests_user_number", "user_requests", ["user_number"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("cert_serial", sa.String(length=64), nullable=True),
        sa.Column("cert_sha256", sa.String(length=64), nullable=True),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_org_id", "audit_log", ["org_id"])
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=20), nullable=False, server_default="notice"))
        batch.add_column(sa.Column("about_user", sa.String(length=14), nullable=True))
        batch.add_column(sa.Column("delete_at", sa.DateTime(timezone=True), nullable=True))
    # PIN messages from before: recognised by their subject (issuer/letters.py), so the list masks their PIN
    op.execute("UPDATE messages SET kind = 'pin' WHERE subject LIKE 'Pincode voor het certificaat van %'")
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("kvk", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("address", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("address")
        batch.drop_column("kvk")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("delete_at")
        batch.drop_column("about_user")
        batch.drop_column("kind")
    op.drop_index("ix_audit_log_org_id", "audit_log")
    op.drop_index("ix_audit_log_at", "audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_user_requests_user_number", "user_requests")
    op.drop_table("user_requests")
