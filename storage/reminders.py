"""Reminder schedules per workspace, and the markers that keep each reminder to once a day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Proposal,
    ProposalStatus,
    ReminderKind,
    ReminderSchedule,
    Revision,
)

# Defaults keep clear of 01:00-01:59, the hour that repeats or vanishes when clocks change.
DEFAULT_CRON: dict[ReminderKind, str] = {
    ReminderKind.DIGEST: "0 9 * * mon",
    ReminderKind.DUE: "0 9 * * *",
    ReminderKind.NUDGE: "30 9 * * mon-fri",
    # After the ideas digest, so the two never arrive in the same minute.
    ReminderKind.KPIS: "15 9 * * mon",
}


async def get_schedule(
    session: AsyncSession, *, workspace: str, kind: ReminderKind
) -> ReminderSchedule:
    """The schedule row, created with the default time the first time it is asked for.

    Created with INSERT ... ON CONFLICT DO NOTHING: a command and the scheduler's start
    may both ask for it first at the same moment.
    """
    row = await session.get(ReminderSchedule, (workspace, str(kind)))
    if row is not None:
        return row
    values = {
        "workspace": workspace,
        "kind": str(kind),
        "cron": DEFAULT_CRON[kind],
        "paused": False,
    }
    dialect = session.get_bind().dialect.name
    insert = sqlite_insert if dialect == "sqlite" else pg_insert
    await session.execute(insert(ReminderSchedule).values(**values).on_conflict_do_nothing())
    row = await session.get(ReminderSchedule, (workspace, str(kind)), populate_existing=True)
    assert row is not None
    return row


async def all_schedules(session: AsyncSession, *, workspace: str) -> list[ReminderSchedule]:
    return [await get_schedule(session, workspace=workspace, kind=kind) for kind in ReminderKind]


async def claim_run(
    session: AsyncSession, *, workspace: str, kind: ReminderKind, day: date
) -> bool:
    """Record that `kind` ran on `day` (a local day). False when it already had: the caller
    then sends nothing. The check and the write are one statement, so two runs cannot both win.
    """
    result = await session.execute(
        update(ReminderSchedule)
        .where(
            ReminderSchedule.workspace == workspace,
            ReminderSchedule.kind == str(kind),
            or_(ReminderSchedule.last_run_on.is_(None), ReminderSchedule.last_run_on != day),
        )
        .values(last_run_on=day)
    )
    return bool(getattr(result, "rowcount", 0))


async def release_run(
    session: AsyncSession, *, workspace: str, kind: ReminderKind, previous: date | None
) -> None:
    """Give back a claim whose message could not be posted."""
    await session.execute(
        update(ReminderSchedule)
        .where(ReminderSchedule.workspace == workspace, ReminderSchedule.kind == str(kind))
        .values(last_run_on=previous)
    )


async def mark_sent(
    session: AsyncSession, *, workspace: str, kind: ReminderKind, at: datetime
) -> None:
    await session.execute(
        update(ReminderSchedule)
        .where(ReminderSchedule.workspace == workspace, ReminderSchedule.kind == str(kind))
        .values(last_sent_at=at)
    )


async def pending_proposals(session: AsyncSession, *, workspace: str) -> list[tuple[Proposal, str]]:
    """Proposals waiting for an editor's decision with their current text, oldest first."""
    query = (
        select(Proposal, Revision.text)
        .join(
            Revision,
            (Revision.proposal_id == Proposal.id) & (Revision.number == Proposal.revision),
            isouter=True,
        )
        .where(Proposal.workspace == workspace, Proposal.status == ProposalStatus.PENDING)
        .order_by(Proposal.created_at, Proposal.id)
    )
    return [(row[0], row[1] or "") for row in (await session.execute(query)).all()]
