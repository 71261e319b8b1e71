"""The durable inbox: deliveries stored before the platform gets its ack.

Every function takes the caller's session. Exactly-once is the database's job:
- `accept` is `INSERT ... ON CONFLICT DO NOTHING` on (workspace, key): a redelivery
  inserts nothing and says so;
- `claim` is a guarded update on the attempts count the caller read, so of two
  processors that read the same row only one wins it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboxItem, ProcessedEvent

KEY_MAX = 200
ERROR_MAX = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class Pending:
    """An accepted delivery whose work has not finished."""

    id: int
    workspace: str
    platform: str
    kind: str
    key: str
    event: Mapping[str, object]
    received_at: datetime
    attempts: int


def _rowcount(result: object) -> int:
    return cast(CursorResult[Any], result).rowcount


async def accept(
    session: AsyncSession,
    *,
    workspace: str,
    platform: str,
    kind: str,
    key: str,
    event: Mapping[str, object],
    now: datetime,
) -> Pending | None:
    """Store a delivery; None (and nothing written) when its key was accepted before."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    key = key[:KEY_MAX]
    values = {
        "workspace": workspace,
        "platform": platform,
        "kind": kind,
        "key": key,
        "event": dict(event),
        "received_at": now,
        "attempts": 0,
    }
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT.
    stmt = insert(InboxItem).values(**values).on_conflict_do_nothing().returning(InboxItem.id)
    row = (await session.execute(stmt)).first()
    if row is None:
        return None
    return Pending(
        id=int(row[0]),
        workspace=workspace,
        platform=platform,
        kind=kind,
        key=key,
        event=event,
        received_at=now,
        attempts=0,
    )


async def claim(session: AsyncSession, *, item: Pending) -> bool:
    """Take the item for one attempt; False when it is done or someone else took it."""
    result = await session.execute(
        update(InboxItem)
        .where(
            InboxItem.id == item.id,
            InboxItem.done_at.is_(None),
            InboxItem.attempts == item.attempts,
        )
        .values(attempts=item.attempts + 1)
    )
    return _rowcount(result) == 1


async def mark_done(session: AsyncSession, *, item_id: int, now: datetime) -> None:
    await session.execute(
        update(InboxItem).where(InboxItem.id == item_id).values(done_at=now, last_error=None)
    )


async def mark_failed(session: AsyncSession, *, item_id: int, error: str) -> None:
    """Leave the item pending (the next start tries again) with a short reason."""
    await session.execute(
        update(InboxItem).where(InboxItem.id == item_id).values(last_error=error[:ERROR_MAX])
    )


async def pending(
    session: AsyncSession,
    *,
    workspace: str,
    received_before: datetime,
    max_attempts: int,
    limit: int = 500,
) -> list[Pending]:
    """Pending items of one workspace, oldest first, that have not used up their tries."""
    rows = (
        await session.execute(
            select(InboxItem)
            .where(
                InboxItem.workspace == workspace,
                InboxItem.done_at.is_(None),
                InboxItem.received_at < received_before,
                InboxItem.attempts < max_attempts,
            )
            .order_by(InboxItem.received_at, InboxItem.id)
            .limit(limit)
        )
    ).scalars()
    return [
        Pending(
            id=row.id,
            workspace=row.workspace,
            platform=row.platform,
            kind=row.kind,
            key=row.key,
            event=row.event,
            received_at=row.received_at,
            attempts=row.attempts,
        )
        for row in rows
    ]


async def prune_done(session: AsyncSession, *, workspace: str, before: datetime) -> int:
    """Delete items of one workspace whose work finished before `before`; how many."""
    result = await session.execute(
        delete(InboxItem).where(
            InboxItem.workspace == workspace,
            InboxItem.done_at.is_not(None),
            InboxItem.done_at < before,
        )
    )
    return _rowcount(result)


async def prune_processed_events(session: AsyncSession, *, workspace: str, before: datetime) -> int:
    """Delete remembered reaction deliveries older than `before` (a platform retries
    within minutes, never after days); how many."""
    result = await session.execute(
        delete(ProcessedEvent).where(
            ProcessedEvent.workspace == workspace, ProcessedEvent.at < before
        )
    )
    return _rowcount(result)
