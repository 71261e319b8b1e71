"""The append-only audit log: every step of a proposal, the source of the KPIs.

Rows are only ever inserted, inside the same transaction as the change they
describe, so the log and the state can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Row, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEvent, AuditKind, IdeaAuditKind, Proposal


def record(
    session: AsyncSession,
    *,
    workspace: str,
    kind: AuditKind | IdeaAuditKind,
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


# at, workspace, kind, proposal id, proposal author, actor id, actor name, detail
_Detail = dict[str, object]
ExportRow = Row[datetime, str, str, int | None, str, str | None, str | None, _Detail]
ExportSelect = Select[datetime, str, str, int | None, str, str | None, str | None, _Detail]


def export_query(*, since: datetime | None = None, workspace: str | None = None) -> ExportSelect:
    """Every audit event with its proposal's author, oldest first: the export's rows."""
    query = (
        select(
            AuditEvent.at,
            AuditEvent.workspace,
            AuditEvent.kind,
            AuditEvent.proposal_id,
            Proposal.author_name,
            AuditEvent.actor_id,
            AuditEvent.actor_name,
            AuditEvent.detail,
        )
        .outerjoin(Proposal, Proposal.id == AuditEvent.proposal_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if workspace is not None:
        query = query.where(AuditEvent.workspace == workspace)
    return query
