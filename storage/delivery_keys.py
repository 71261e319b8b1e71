"""Changes made by a platform delivery, at most once per delivery.

A command whose handler committed but whose inbox item was never marked done runs
again at the next start. The rows it creates carry the delivery's inbox key, unique
per workspace, so the replay's insert meets the constraint and writes nothing
(`create_once`). A change that creates no row of its own to carry the key (a
proposal's new revision, an idea's snooze) is checked for first (`changed_before`)
and records the key, in its own transaction, among the processed deliveries
(`record_change`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.inbox import KEY_MAX  # the column's size, as the inbox's key
from storage.models import ProcessedEvent


def clip(delivery_key: str | None) -> str | None:
    return None if delivery_key is None else delivery_key[:KEY_MAX]


async def insert_ignoring_duplicates(
    session: AsyncSession, table: Table, values: Mapping[str, object]
) -> bool:
    """Insert one row; False (and nothing written) when a unique key already has it."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT.
    key = next(iter(table.primary_key.columns))
    stmt = insert(table).values(**values).on_conflict_do_nothing().returning(key)
    return (await session.execute(stmt)).first() is not None


def _change_key(delivery_key: str) -> str:
    # Prefixed: the same table keeps reaction event ids, which are not inbox keys.
    return f"change:{delivery_key}"[:KEY_MAX]


async def changed_before(
    session: AsyncSession, *, workspace: str, delivery_key: str | None
) -> bool:
    """Whether this delivery made its change before (`record_change`): then this is a
    replay, and must change nothing again. Never for a call from no delivery (typed in
    the local workspace)."""
    if delivery_key is None:
        return False
    found = await session.get(ProcessedEvent, (workspace, _change_key(delivery_key)))
    return found is not None


async def record_change(
    session: AsyncSession, *, workspace: str, delivery_key: str | None, at: datetime
) -> None:
    """Note, in the transaction of the change itself, that this delivery made it."""
    if delivery_key is not None:
        await insert_ignoring_duplicates(
            session,
            cast(Table, ProcessedEvent.__table__),
            {"workspace": workspace, "key": _change_key(delivery_key), "at": at},
        )


async def create_once(
    session: AsyncSession, table: Table, values: Mapping[str, object]
) -> tuple[int, bool]:
    """Insert one row of a table with `workspace`, `delivery_key` and `id`: (its id,
    True), or (the id of the row that key created before in the workspace, False) and
    nothing written. A row without a key always inserts: NULLs never collide.

    The unique constraint is the guard; the read first only spares PostgreSQL a
    sequence number (a proposal's number is what members see) in the usual replay.
    Of two replays at the same instant, PostgreSQL makes the second insert wait for
    the first to commit and then do nothing; SQLite has one writer at a time.
    """
    key = values["delivery_key"]
    if key is not None:
        found = await _created_by(session, table, values)
        if found is not None:
            return found, False
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT.
    stmt = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["workspace", "delivery_key"])
        .returning(table.c.id)
    )
    new_id = cast(int | None, (await session.execute(stmt)).scalar_one_or_none())
    if new_id is not None:
        return new_id, True
    found = await _created_by(session, table, values)
    if found is None:  # the constraint saw it: only a row deleted since gets here
        raise LookupError(f"the {table.name} row of delivery {key!r} vanished")
    return found, False


async def _created_by(
    session: AsyncSession, table: Table, values: Mapping[str, object]
) -> int | None:
    return cast(
        int | None,
        await session.scalar(
            select(table.c.id).where(
                table.c.workspace == values["workspace"],
                table.c.delivery_key == values["delivery_key"],
            )
        ),
    )
