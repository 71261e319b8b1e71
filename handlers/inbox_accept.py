"""Storing a delivery before its ack, quickly: Slack and Discord give three seconds,
and every millisecond the ack spends here is spent on the one event loop that also
reads the next delivery.

- SQLite: the delivery is appended to the database's journal (`storage.inbox_journal`:
  one `write`, no lock to wait for) and moved into the `inbox_items` table by
  `store_journaled`, which the work calls before it claims an item; the first call
  after a start also moves whatever an earlier process left in the journal. Until it
  is moved, an accepted item has no id (`UNSTORED`), and `stored` finds it by its key.
- PostgreSQL: one autocommitted `INSERT ... ON CONFLICT DO NOTHING RETURNING` through
  the async driver, which waits on the loop itself, on a connection kept open for
  these inserts; deliveries that arrive together share it (`storage.inbox_committed`).
  With synchronous_commit on (the default) the row is on disk when the answer comes
  back.

A key accepted before is refused (None) by the database on PostgreSQL; on SQLite by a
memory of this process's recent keys, and a redelivery it misses (after a restart) is
stored once by its unique key, so its work runs once.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict
from collections.abc import Mapping

from handlers.clock import Clock
from storage import inbox as store
from storage.db import Database
from storage.inbox import NewDelivery, Pending
from storage.inbox_committed import CommittedInserts
from storage.inbox_journal import UNSTORED, InboxJournal, journal_path

RECENT_KEYS = 10_000  # Slack and Discord redeliver within minutes

_Waiting = tuple[NewDelivery, "asyncio.Future[Pending | None]"]


class Acceptor:
    def __init__(self, *, db: Database, clock: Clock) -> None:
        # Weakly: the registry below keeps acceptors, and must not keep databases.
        self._db_ref = weakref.ref(db)
        self._clock = clock
        self._loop = asyncio.get_running_loop()
        path = journal_path(db.url)
        self._journal = InboxJournal(path) if path is not None else None
        # What the journal holds that the table may not: an earlier process's
        # entries first, then this one's.
        self._unstored: list[Pending] = self._journal.read() if self._journal else []
        self._recent: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._storing = asyncio.Lock()
        self._queue: list[_Waiting] = []
        self._flusher: asyncio.Task[None] | None = None
        # Connects on its first batch, so never on SQLite, whose acks go to the journal.
        self._inserts = CommittedInserts(db.engine)
        db.before_dispose(self._inserts.close)

    @property
    def _db(self) -> Database:
        db = self._db_ref()
        if db is None:
            raise RuntimeError("the inbox's database was closed and collected")
        return db

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()

    async def accept(
        self, *, workspace: str, platform: str, kind: str, key: str, event: Mapping[str, object]
    ) -> Pending | None:
        """The accepted item, or None when its key was accepted before."""
        key = key[: store.KEY_MAX]
        if self._journal is None:
            return await self._committed(
                NewDelivery(workspace=workspace, platform=platform, kind=kind, key=key, event=event)
            )
        if (workspace, key) in self._recent:
            return None
        item = Pending(
            id=UNSTORED,
            workspace=workspace,
            platform=platform,
            kind=kind,
            key=key,
            event=event,
            received_at=self._clock.now(),
            attempts=0,
        )
        self._journal.append(item)
        self._unstored.append(item)
        self._recent[workspace, key] = None
        if len(self._recent) > RECENT_KEYS:
            self._recent.popitem(last=False)
        return item

    async def _committed(self, delivery: NewDelivery) -> Pending | None:
        """PostgreSQL: stored by the next autocommitted batch."""
        future: asyncio.Future[Pending | None] = self._loop.create_future()
        self._queue.append((delivery, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="inbox accept")
        return await future

    async def store_journaled(self) -> None:
        """Move the journal's entries into the table (SQLite; nothing to do otherwise)."""
        if self._journal is None:
            return
        async with self._storing:
            batch = list(self._unstored)
            if not batch:
                return
            async with self._db.transaction() as session:
                await store.store_received(session, items=batch)
            del self._unstored[: len(batch)]
            if not self._unstored:
                # In the same step as the check: no append can come in between.
                self._journal.clear()

    async def stored(self, item: Pending) -> Pending | None:
        """The item as stored, or None when there is nothing left to run: its key
        was stored before and its work is done."""
        if item.id != UNSTORED:
            return item
        await self.store_journaled()
        async with self._db.session() as session:
            found = await store.pending_by_key(session, workspace=item.workspace, key=item.key)
        return found

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                items = await self._inserts.accept([d for d, _ in batch], now=self._clock.now())
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
    """The database's acceptor in this event loop (made on first use; its journal is
    closed when the `Database` is collected)."""
    found = _acceptors.get(db)
    if found is None or found.loop is not asyncio.get_running_loop():
        if found is not None:
            found.close()
        found = _acceptors[db] = Acceptor(db=db, clock=clock)
        weakref.finalize(db, found.close)
    return found
