"""deliveries: one table for what platforms hand postgate, replacing the inbox

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

A delivery is stored before its ack, unique per workspace by its key, and marked
done in the same transaction as its work's effect. That one mark makes the older
guards redundant: the inbox's attempts and errors, the processed reaction ids, and
the delivery keys proposals and ideas carried. Deliveries the inbox still held
undone are copied over (the event is stored in the same shape), so an upgrade
loses nothing a platform was told was received.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("event", sa.JSON(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("workspace", "key", name=op.f("pk_deliveries")),
    )
    op.execute(
        "INSERT INTO deliveries (workspace, key, event, received_at) "
        "SELECT workspace, key, event, received_at FROM inbox_items WHERE done_at IS NULL"
    )
    with op.batch_alter_table("inbox_items", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_items_workspace_done_received")
    op.drop_table("inbox_items")
    op.drop_table("processed_events")
    for table in ("proposals", "ideas"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"uq_{table}_workspace_delivery_key"), type_="unique"
            )
            batch_op.drop_column("delivery_key")


def downgrade() -> None:
    for table in ("ideas", "proposals"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("delivery_key", sa.String(length=200), nullable=True))
            batch_op.create_unique_constraint(
                batch_op.f(f"uq_{table}_workspace_delivery_key"), ["workspace", "delivery_key"]
            )
    op.create_table(
        "processed_events",
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("workspace", "key", name=op.f("pk_processed_events")),
    )
    op.create_table(
        "inbox_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("event", sa.JSON(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_items")),
        sa.UniqueConstraint("workspace", "key", name=op.f("uq_inbox_items_workspace_key")),
    )
    with op.batch_alter_table("inbox_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbox_items_workspace_done_received",
            ["workspace", "done_at", "received_at"],
            unique=False,
        )
    op.drop_table("deliveries")
