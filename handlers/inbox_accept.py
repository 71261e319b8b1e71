"""Group commit for the inbox: deliveries that arrive together are stored in one
transaction, so the insert before each ack stays quick in a burst (SQLite has one
writer, and every commit costs about a millisecond). The caller still returns only
once its own delivery is committed."""

from __future__ import annotations

import asyncio
import weakref

from handlers.clock import Clock
from storage.db import Database
from storage.inbox import NewDelivery, Pending
from storage.inbox_writer import writer_for

_Waiting = tuple[NewDelivery, "asyncio.Future[Pending | None]"]


class Acceptor:
    def __init__(self, *, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._loop = asyncio.get_running_loop()
        self._queue: list[_Waiting] = []
        self._flusher: asyncio.Task[None] | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    async def accept(self, delivery: NewDelivery) -> Pending | None:
        """The stored item, or None when its key was accepted before."""
        future: asyncio.Future[Pending | None] = self._loop.create_future()
        self._queue.append((delivery, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="inbox accept")
        return await future

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                items = await writer_for(self._db).accept_many(
                    deliveries=[d for d, _ in batch], now=self._clock.now()
                )
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), item in zip(batch, items, strict=True):
                if not future.done():
                    future.set_result(item)


_acceptors: weakref.WeakKeyDictionary[Database, Acceptor] = weakref.WeakKeyDictionary()


def acceptor_for(*, db: Database, clock: Clock) -> Acceptor:
    """The database's acceptor in this event loop."""
    found = _acceptors.get(db)
    if found is None or found.loop is not asyncio.get_running_loop():
        found = _acceptors[db] = Acceptor(db=db, clock=clock)
    return found
