"""A proposal's move between states, audited in the same transaction.

Several callers may try the same move at once (two editors' votes, the expiry job);
only the one whose move took effect records the event, so each move is audited once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Context
from handlers.events import Actor
from storage import proposals as repo
from storage.models import AuditKind, ProposalStatus


async def move_and_record(
    session: AsyncSession,
    ctx: Context,
    *,
    proposal_id: int,
    from_statuses: Iterable[ProposalStatus],
    to_status: ProposalStatus,
    now: datetime,
    event: AuditKind,
    detail: Mapping[str, object],
    actor: Actor | None = None,
    decided: bool = False,
    decided_by: str | None = None,
    overrule: bool | None = None,
) -> bool:
    """`repo.transition`, plus its audit event when this caller moved the proposal."""
    moved = await repo.transition(
        session,
        proposal_id=proposal_id,
        from_statuses=from_statuses,
        to_status=to_status,
        now=now,
        decided_by=decided_by,
        decided=decided,
        overrule=overrule,
    )
    if moved:
        ctx.audit(session, event, at=now, actor=actor, proposal_id=proposal_id, detail=detail)
    return moved
