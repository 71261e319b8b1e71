"""Group commit for the inbox: deliveries that arrive together are stored in one
transaction, so the insert before each ack stays quick in a burst (SQLite has one
writer, and every commit costs something). The caller still returns only once its own
delivery is committed.

Each hop an ack takes through the event loop waits behind the steps of the work
running after earlier acks, so the write takes as few as it can:
- SQLite: a callback on the loop writes the batch (`storage.inbox_writer`; no task to
  start, no thread to come back from); when the work's transaction holds the write
  lock, it looks again every half millisecond instead of blocking the loop;
- PostgreSQL: one autocommitted statement through the async driver, which waits on the
  loop itself (`storage.inbox.accept_committed`; no thread).
"""

from __future__ import annotations

import asyncio
import time
import weakref

from handlers.clock import Clock
from storage.db import Database
from storage.inbox import NewDelivery, Pending, accept_committed
from storage.inbox_writer import BUSY_POLL_SECONDS, BUSY_SECONDS, InboxWriter, writer_for

_Waiting = tuple[NewDelivery, "asyncio.Future[Pending | None]"]


class Acceptor:
    def __init__(self, *, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._loop = asyncio.get_running_loop()
        self._queue: list[_Waiting] = []
        self._flusher: asyncio.Task[None] | None = None
        self._writer: InboxWriter | None = writer_for(db) if db.is_sqlite else None
        self._scheduled: asyncio.Handle | None = None
        self._busy_since: float | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    async def accept(self, delivery: NewDelivery) -> Pending | None:
        """The stored item, or None when its key was accepted before."""
        future: asyncio.Future[Pending | None] = self._loop.create_future()
        self._queue.append((delivery, future))
        if self._writer is not None:
            # call_soon, not now: deliveries read in the same loop pass share a commit.
            if self._scheduled is None:
                self._scheduled = self._loop.call_soon(self._write_inline)
        elif self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="inbox accept")
        return await future

    def _write_inline(self) -> None:
        assert self._writer is not None
        self._scheduled = None
        batch, self._queue = self._queue, []
        if not batch:
            return
        try:
            items = self._writer.try_accept(deliveries=[d for d, _ in batch], now=self._clock.now())
            if items is None:
                self._retry_later(batch)
                return
        except Exception as exc:
            _fail(batch, exc)
            return
        self._busy_since = None
        _resolve(batch, items)

    def _retry_later(self, batch: list[_Waiting]) -> None:
        """The write lock is held by another connection (the work's, or another
        process's): look again shortly, without blocking the loop."""
        now = time.monotonic()
        if self._busy_since is None:
            self._busy_since = now
        elif now - self._busy_since > BUSY_SECONDS:
            self._busy_since = None
            _fail(batch, TimeoutError(f"the inbox stayed locked for {BUSY_SECONDS:.0f} s"))
            # Deliveries that came in meanwhile get a full wait of their own.
            if self._queue and self._scheduled is None:
                self._scheduled = self._loop.call_soon(self._write_inline)
            return
        self._queue[:0] = batch
        if self._scheduled is None:
            self._scheduled = self._loop.call_later(BUSY_POLL_SECONDS, self._write_inline)

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                items = await accept_committed(
                    self._db.engine, deliveries=[d for d, _ in batch], now=self._clock.now()
                )
            except Exception as exc:
                _fail(batch, exc)
                continue
            _resolve(batch, items)


def _resolve(batch: list[_Waiting], items: list[Pending | None]) -> None:
    for (_, future), item in zip(batch, items, strict=True):
        if not future.done():
            future.set_result(item)


def _fail(batch: list[_Waiting], exc: BaseException) -> None:
    for _, future in batch:
        if not future.done():
            future.set_exception(exc)


_acceptors: weakref.WeakKeyDictionary[Database, Acceptor] = weakref.WeakKeyDictionary()


def acceptor_for(*, db: Database, clock: Clock) -> Acceptor:
    """The database's acceptor in this event loop."""
    found = _acceptors.get(db)
    if found is None or found.loop is not asyncio.get_running_loop():
        found = _acceptors[db] = Acceptor(db=db, clock=clock)
    return found
