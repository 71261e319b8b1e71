"""the outbox: messages owed, written with the change that owes them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

One row per message postgate owes (a review card, its updates, the approved post,
the proposer's notice, postgate's own reactions), sent by handlers/outbox.py and
marked sent once the platform has it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("detail", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("next_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("reported_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_outbox_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index("ix_outbox_workspace_sent_next", "outbox", ["workspace", "sent_at", "next_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_workspace_sent_next", table_name="outbox")
    op.drop_table("outbox")
