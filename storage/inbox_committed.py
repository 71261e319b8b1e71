"""The inbox's inserts before an ack on PostgreSQL, on one connection kept open.

Each batch of deliveries is one autocommitted `INSERT ... ON CONFLICT DO NOTHING
RETURNING` (`storage.inbox.accept_many_sync`): committed, and with synchronous_commit
on (PostgreSQL's default) on disk, when it returns. Taking a connection from the pool
for each batch cost more CPU than the insert itself: the checkout's ping, switching
the connection to autocommit and back, and the reset when it goes back (0.6-1.1 ms a
batch, against 0.35-0.47 ms on a connection kept open). So the inserts keep one
connection of their own, in autocommit, which holds no transaction open between them.

A connection the server closed meanwhile (a restart, an idle timeout on the way)
fails at its next use; the batch is then sent once more on a new connection. Should
the connection have broken after the server committed the first attempt, the second
finds those keys accepted and says so, as a redelivery would: the deliveries are
kept, and their work runs at the next start's replay instead of at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.inbox import NewDelivery, Pending, accept_many_sync


class CommittedInserts:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def accept(
        self, deliveries: Sequence[NewDelivery], *, now: datetime
    ) -> list[Pending | None]:
        """Each delivery's new item, or None when its key was accepted before. Callers
        send one batch at a time."""
        for attempt in range(2):
            connection = await self._connected()
            try:
                return await connection.run_sync(
                    lambda sync: accept_many_sync(sync, deliveries=deliveries, now=now)
                )
            except DBAPIError as exc:
                await self.close()
                if attempt or not exc.connection_invalidated:
                    raise
        raise AssertionError("unreachable: the second attempt returns or raises")

    async def _connected(self) -> AsyncConnection:
        if self._connection is None:
            connection = await self._engine.connect()
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            self._connection, self._loop = connection, asyncio.get_running_loop()
        return self._connection

    async def close(self) -> None:
        """Close the connection (the next batch opens another)."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if self._loop is not asyncio.get_running_loop():
            return  # its loop has ended, and the connection with it: nothing to await
        # Closed, not handed back to the pool: in autocommit it is of no use there.
        with contextlib.suppress(Exception):  # a connection already broken
            await connection.invalidate()
            await connection.close()
