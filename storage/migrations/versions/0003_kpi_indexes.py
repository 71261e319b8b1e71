"""an index for the KPIs: proposals by workspace and decision time

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

`/stats` measures time to decision from the proposal row (created_at to
decided_at) for the decisions in a period, and buckets them per week. Without
this index PostgreSQL scans every proposal for each week of the chart (over
400 ms for a year at 100,000 proposals); with it each week is a range scan.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_proposals_workspace_decided", ["workspace", "decided_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index("ix_proposals_workspace_decided")
