"""The outbox's rows: messages owed, claimed one attempt at a time, marked sent.

A row is written in the transaction of the change that owes it, so a change and its
messages commit together or not at all. Each attempt is counted before it starts:
a row with attempts behind it may have reached the platform unseen (an answer lost,
a kill mid-flight), and its sender looks for it before posting again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import rowcount, snapshot_of
from storage.models import OutboxKind, OutboxMessage


@dataclass(frozen=True, slots=True, kw_only=True)
class Owed:
    id: int
    workspace: str
    proposal_id: int
    kind: OutboxKind
    revision: int
    detail: str
    channel: str | None
    message_id: str | None
    created_at: datetime
    attempts: int  # before this one


def _owed(row: OutboxMessage) -> Owed:
    return snapshot_of(Owed, row, kind=OutboxKind(row.kind))


def owe(
    session: AsyncSession,
    *,
    workspace: str,
    proposal_id: int,
    kind: OutboxKind,
    revision: int,
    now: datetime,
    detail: str = "",
    channel: str | None = None,
    message_id: str | None = None,
) -> None:
    session.add(
        OutboxMessage(
            workspace=workspace,
            proposal_id=proposal_id,
            kind=str(kind),
            revision=revision,
            detail=detail,
            channel=channel,
            message_id=message_id,
            created_at=now,
            next_at=now,
            attempts=0,
        )
    )


async def due(
    session: AsyncSession, *, workspace: str, now: datetime, proposal_id: int
) -> list[int]:
    """One proposal's unsent rows whose time has come, oldest first."""
    query = select(OutboxMessage.id).where(
        OutboxMessage.workspace == workspace,
        OutboxMessage.proposal_id == proposal_id,
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.next_at <= now,
    )
    return list(await session.scalars(query.order_by(OutboxMessage.id)))


async def due_proposals(session: AsyncSession, *, workspace: str, now: datetime) -> list[int]:
    """The proposals with an unsent row whose time has come, oldest row first."""
    rows = await session.execute(
        select(OutboxMessage.proposal_id, func.min(OutboxMessage.id).label("first"))
        .where(
            OutboxMessage.workspace == workspace,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.next_at <= now,
        )
        .group_by(OutboxMessage.proposal_id)
        .order_by("first")
    )
    return [r[0] for r in rows]


async def claim(
    session: AsyncSession, *, row_id: int, due_by: datetime, lease_until: datetime
) -> Owed | None:
    """Take an unsent row due by `due_by` for one attempt, counted, until
    `lease_until` at most; None when it is sent, not due (another sender holds it),
    or another sender took it first (the count moved)."""
    row = await session.get(OutboxMessage, row_id, populate_existing=True)
    if row is None or row.sent_at is not None or row.next_at > due_by:
        return None
    owed = _owed(row)
    taken = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row_id,
            OutboxMessage.attempts == owed.attempts,
            OutboxMessage.sent_at.is_(None),
        )
        .values(attempts=owed.attempts + 1, next_at=lease_until)
        .execution_options(synchronize_session=False)
    )
    return owed if rowcount(taken) == 1 else None


async def release_leases(session: AsyncSession, *, now: datetime) -> None:
    """At start, the one serving process takes back rows a stopped one had in flight."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.attempts > 0,
            OutboxMessage.next_at > now,
        )
        .values(next_at=now)
    )


async def mark_sent(
    session: AsyncSession,
    *,
    row_id: int,
    now: datetime,
    channel: str | None = None,
    message_id: str | None = None,
) -> None:
    values: dict[str, object] = {"sent_at": now, "last_error": None}
    if message_id is not None:
        values.update(channel=channel, message_id=message_id)
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))


async def put_off(session: AsyncSession, *, row_id: int, until: datetime, error: str) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(next_at=until, last_error=error[:200])
    )


async def has(session: AsyncSession, *, proposal_id: int, kind: OutboxKind, sent: bool) -> bool:
    """Whether the proposal has a row of this kind, sent (or not yet)."""
    state = OutboxMessage.sent_at.is_not(None) if sent else OutboxMessage.sent_at.is_(None)
    found = await session.scalar(
        select(
            exists().where(
                OutboxMessage.proposal_id == proposal_id, OutboxMessage.kind == str(kind), state
            )
        )
    )
    return bool(found)


async def undelivered(
    session: AsyncSession, *, workspace: str, since: datetime, unreported: bool = False
) -> list[Owed]:
    """Unsent rows owed since before `since` (only those not yet reported, if asked)."""
    query = select(OutboxMessage).where(
        OutboxMessage.workspace == workspace,
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.created_at <= since,
    )
    if unreported:
        query = query.where(OutboxMessage.reported_at.is_(None))
    return [_owed(r) for r in await session.scalars(query.order_by(OutboxMessage.id))]


async def mark_reported(session: AsyncSession, *, ids: Iterable[int], now: datetime) -> None:
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(list(ids))).values(reported_at=now)
    )
