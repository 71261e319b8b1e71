"""delivery keys: a replayed /propose or /idea creates nothing twice

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

Proposals and ideas remember the inbox key of the delivery that created them,
unique per workspace. A command whose handler committed but whose inbox item was
never marked done (the process stopped in between) runs again at the next start;
its insert then meets this constraint and creates nothing. Rows typed locally, and
every row from before this revision, have no key: NULLs never collide, on SQLite or
PostgreSQL. On SQLite the tables are rebuilt (batch mode) to add the constraint.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivery_key", sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_ideas_workspace_delivery_key"), ["workspace", "delivery_key"]
        )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivery_key", sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_proposals_workspace_delivery_key"), ["workspace", "delivery_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_proposals_workspace_delivery_key"), type_="unique")
        batch_op.drop_column("delivery_key")
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_ideas_workspace_delivery_key"), type_="unique")
        batch_op.drop_column("delivery_key")
