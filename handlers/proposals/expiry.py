"""Undecided proposals expire after `POSTGATE_EXPIRE_DAYS`; expired is not rejected.

The scheduler calls `expire_overdue` for each workspace; it is safe to run twice
at once (each expiry is a guarded status change only one run can make).
"""

from __future__ import annotations

from datetime import timedelta

from handlers import outbox
from handlers.context import Context
from handlers.proposals.moves import move_and_record
from storage import proposals as repo
from storage.models import OPEN_STATUSES, AuditKind, ProposalStatus


async def expire_overdue(ctx: Context) -> int:
    """Expire this workspace's open proposals older than the limit; returns how many."""
    now = ctx.services.clock.now()
    days = ctx.services.config.expire_days
    async with ctx.services.db.session() as session:
        candidates = await repo.overdue_ids(
            session, workspace=ctx.workspace, before=now - timedelta(days=days)
        )
    expired = 0
    for proposal_id in candidates:
        async with ctx.services.db.transaction() as session:
            moved = await move_and_record(
                session,
                ctx,
                proposal_id=proposal_id,
                from_statuses=OPEN_STATUSES,
                to_status=ProposalStatus.EXPIRED,
                now=now,
                decided=True,
                event=AuditKind.EXPIRED,
                detail={"after_days": days},
            )
            if moved:
                outbox.owe_decision(
                    session, ctx, proposal_id=proposal_id, status=ProposalStatus.EXPIRED
                )
        if moved:
            expired += 1
            await outbox.send(ctx, proposal_id=proposal_id)
    return expired
