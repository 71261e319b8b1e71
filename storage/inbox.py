"""The durable inbox: deliveries stored before the platform gets its ack.

Every function takes the caller's session. Exactly-once is the database's job:
- storing a delivery (`accept_many_sync`, `store_received`) is `INSERT ... ON CONFLICT
  DO NOTHING` on (workspace, key): a redelivery inserts nothing and says so;
- `claim` is a guarded update on the attempts count the caller read, so of two
  processors that read the same row only one wins it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Row, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

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


@dataclass(frozen=True, slots=True, kw_only=True)
class NewDelivery:
    workspace: str
    platform: str
    kind: str
    key: str
    event: Mapping[str, object]


def _row(d: NewDelivery | Pending, *, received_at: datetime) -> dict[str, Any]:
    return {
        "workspace": d.workspace,
        "platform": d.platform,
        "kind": d.kind,
        "key": d.key[:KEY_MAX],
        "event": dict(d.event),
        "received_at": received_at,
        "attempts": 0,
    }


def accepted(
    deliveries: Sequence[NewDelivery],
    rows: list[dict[str, Any]],
    inserted: Iterable[Row[int, str, str]],
    now: datetime,
) -> list[Pending | None]:
    """Each delivery's new item, or None when its key was accepted before (or earlier
    in the same batch)."""
    ids = {(str(w), str(k)): int(i) for i, w, k in inserted}
    out: list[Pending | None] = []
    for d, row in zip(deliveries, rows, strict=True):
        key = str(row["key"])
        item_id = ids.pop((d.workspace, key), None)
        out.append(
            None
            if item_id is None
            else Pending(
                id=item_id,
                workspace=d.workspace,
                platform=d.platform,
                kind=d.kind,
                key=key,
                event=d.event,
                received_at=now,
                attempts=0,
            )
        )
    return out


def accept_many_sync(
    connection: Connection, *, deliveries: Sequence[NewDelivery], now: datetime
) -> list[Pending | None]:
    """Store deliveries in one statement on a synchronous connection
    (`storage.inbox_committed` runs it); for each, its item or None (accepted before)."""
    if not deliveries:
        return []
    rows = [_row(d, received_at=now) for d in deliveries]
    # One statement for every batch size, sent with the rows as parameters: compiled
    # once, where `.values(rows)` compiles anew for each new size (measured: 0.3 ms
    # for ten rows instead of 1.1 ms).
    stmt = _insert_many(connection.dialect.name)
    return accepted(deliveries, rows, connection.execute(stmt, rows).all(), now)


@functools.cache
def _insert_many(dialect: str) -> ReturningInsert[int, str, str]:
    """One INSERT for any number of rows, sent as executemany; a key accepted before
    inserts nothing. It returns the rows it inserted (RETURNING, not rowcount: psycopg
    reports -1 for ON CONFLICT)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(InboxItem)
        .on_conflict_do_nothing()
        .returning(InboxItem.id, InboxItem.workspace, InboxItem.key)
    )


async def store_received(session: AsyncSession, *, items: Sequence[Pending]) -> None:
    """Store items accepted but not yet stored (their ids are not yet known), each with
    the time it was received, skipping any key accepted before."""
    if not items:
        return
    rows = [_row(item, received_at=item.received_at) for item in items]
    await session.execute(_insert_many(session.get_bind().dialect.name), rows)


async def pending_by_key(session: AsyncSession, *, workspace: str, key: str) -> Pending | None:
    """The stored item for a delivery key, if its work has not finished."""
    row = (
        await session.execute(
            select(InboxItem).where(
                InboxItem.workspace == workspace,
                InboxItem.key == key[:KEY_MAX],
                InboxItem.done_at.is_(None),
            )
        )
    ).scalar_one_or_none()
    return None if row is None else _pending(row)


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
    return [_pending(row) for row in rows]


def _pending(row: InboxItem) -> Pending:
    return Pending(
        id=row.id,
        workspace=row.workspace,
        platform=row.platform,
        kind=row.kind,
        key=row.key,
        event=row.event,
        received_at=row.received_at,
        attempts=row.attempts,
    )


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
