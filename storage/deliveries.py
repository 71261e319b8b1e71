"""The deliveries table: what platforms handed postgate, each stored once by its key.

Every function takes the caller's session. Exactly-once is the database's job: a
redelivery's insert meets the (workspace, key) primary key and writes nothing, and
`mark_done` runs in the transaction of the work's own effect.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import insert_ignoring_duplicates, rowcount
from storage.models import Delivery

KEY_MAX = 200


@dataclass(frozen=True, slots=True)
class Pending:
    key: str
    event: Mapping[str, Any]


async def insert(
    session: AsyncSession, *, workspace: str, key: str, event: Mapping[str, Any], now: datetime
) -> bool:
    """Store a delivery; False (nothing written) when its key was stored before."""
    return await insert_ignoring_duplicates(
        session,
        cast(Table, Delivery.__table__),
        {"workspace": workspace, "key": key[:KEY_MAX], "event": dict(event), "received_at": now},
    )


async def mark_done(session: AsyncSession, *, workspace: str, key: str, now: datetime) -> bool:
    """Mark a delivery done; False when it was done already (or never stored)."""
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.workspace == workspace,
            Delivery.key == key[:KEY_MAX],
            Delivery.done_at.is_(None),
        )
        .values(done_at=now)
    )
    return rowcount(result) == 1


async def pending(session: AsyncSession, *, workspace: str, before: datetime) -> list[Pending]:
    """The workspace's deliveries received before `before` and not done, oldest first."""
    rows = await session.execute(
        select(Delivery.key, Delivery.event)
        .where(
            Delivery.workspace == workspace,
            Delivery.done_at.is_(None),
            Delivery.received_at < before,
        )
        .order_by(Delivery.received_at, Delivery.key)
    )
    return [Pending(key, event) for key, event in rows]


async def prune(session: AsyncSession, *, workspace: str, before: datetime) -> int:
    """Forget the workspace's deliveries received before `before`: a platform
    redelivers within minutes, and work still undone after weeks is given up."""
    result = await session.execute(
        delete(Delivery).where(Delivery.workspace == workspace, Delivery.received_at < before)
    )
    return rowcount(result)
