"""covering indexes for the KPIs: the figures come from index-only scans

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

Two indexes the KPIs already use gain the columns their queries read, so
PostgreSQL answers from the index alone instead of visiting every matching row:

- `audit_events (workspace, kind, at)` now includes `actor_id, actor_name`:
  the busiest proposers and editors read 150,000 events a year at 100,000
  proposals (a sequential scan of the whole log before);
- `proposals (workspace, decided_at)` now includes `status, created_at`:
  time to decision, per period and per week.

The audit log is written at the pace people work (a few events a minute), so the
slightly wider audit index costs nothing noticeable. On SQLite, which has no
INCLUDE, the indexes are re-created as they were.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_audit_events_workspace_kind_at", table_name="audit_events")
    op.create_index(
        "ix_audit_events_workspace_kind_at",
        "audit_events",
        ["workspace", "kind", "at"],
        postgresql_include=["actor_id", "actor_name"],
    )
    op.drop_index("ix_proposals_workspace_decided", table_name="proposals")
    op.create_index(
        "ix_proposals_workspace_decided",
        "proposals",
        ["workspace", "decided_at"],
        postgresql_include=["status", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_proposals_workspace_decided", table_name="proposals")
    op.create_index("ix_proposals_workspace_decided", "proposals", ["workspace", "decided_at"])
    op.drop_index("ix_audit_events_workspace_kind_at", table_name="audit_events")
    op.create_index(
        "ix_audit_events_workspace_kind_at", "audit_events", ["workspace", "kind", "at"]
    )
