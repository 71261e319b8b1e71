"""The append-only audit log: every step of a proposal, the source of the KPIs.

Rows are only ever inserted, inside the same transaction as the change they
describe, so the log and the state can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEvent, AuditKind


def record(
    session: AsyncSession,
    *,
    workspace: str,
    kind: AuditKind,
    at: datetime,
    proposal_id: int | None = None,
    actor_id: str | None = None,
    actor_name: str | None = None,
    detail: Mapping[str, object] | None = None,
) -> AuditEvent:
    """Add one event to the session's transaction (written when it commits)."""
    event = AuditEvent(
        workspace=workspace,
        at=at,
        kind=str(kind),
        proposal_id=proposal_id,
        actor_id=actor_id,
        actor_name=actor_name[:200] if actor_name else actor_name,
        detail=dict(detail or {}),
    )
    session.add(event)
    return event
