"""The insert before an ack on SQLite, over a synchronous connection of its own,
written on the event loop itself in one short transaction that never waits for a lock
(`try_accept`): it takes the write lock with BEGIN IMMEDIATE and a zero busy timeout, so
when the work's own transaction holds the lock it returns at once and the caller looks
again shortly, never blocking the loop behind a coroutine on that loop. A commit here
costs 0.1-0.3 ms of CPU (WAL, synchronous=NORMAL: no fsync); the worker thread it
replaced cost 3-15 ms per batch in hops back to a busy loop and in sharing the GIL with
it (measured with benchmarks/slack_ack.py: see docs/slack.md).

PostgreSQL needs none of this: see `storage.inbox.accept_committed`.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from storage.db import Database
from storage.inbox import NewDelivery, Pending, accept_many_sync
from storage.urls import sync_url

BUSY_SECONDS = 5.0  # as the async engine's busy_timeout
# SQLite's own busy wait sleeps up to 100 ms between looks while the work's
# transactions come and go; an ack cannot wait that long.
BUSY_POLL_SECONDS = 0.0005


def _no_checkpoints(dbapi_connection: Any, _record: Any) -> None:
    # A commit that crosses SQLite's WAL size limit copies the WAL back into the
    # database before it returns (about 100 ms here); the app's other connections do
    # that, never the ack's.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # Transactions are begun by `_begin_immediate`, not by the driver.
    dbapi_connection.isolation_level = None


def _begin_immediate(connection: Connection) -> None:
    # The write lock up front: with it, the insert and the commit need no other lock
    # (WAL), so a busy database fails here, before anything is written, and at once.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _busy(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text


class InboxWriter:
    def __init__(self, url: str) -> None:
        self._engine: Engine = create_engine(
            sync_url(url), connect_args={"timeout": 0}, pool_size=1
        )
        event.listen(self._engine, "connect", _no_checkpoints)
        event.listen(self._engine, "begin", _begin_immediate)

    def try_accept(
        self, *, deliveries: Sequence[NewDelivery], now: datetime
    ) -> list[Pending | None] | None:
        """On the caller's thread: the stored items, or None with nothing written when
        another connection holds the write lock (look again shortly)."""
        try:
            with self._engine.begin() as connection:
                return accept_many_sync(connection, deliveries=deliveries, now=now)
        except OperationalError as exc:
            if _busy(exc):
                return None
            raise

    def dispose(self) -> None:
        self._engine.dispose()


_writers: weakref.WeakKeyDictionary[Database, InboxWriter] = weakref.WeakKeyDictionary()


def writer_for(db: Database) -> InboxWriter:
    """The (SQLite) database's writer, made on first use and disposed of with the database
    object (its connection is closed when the `Database` is collected)."""
    found = _writers.get(db)
    if found is None:
        found = _writers[db] = InboxWriter(db.url)
        weakref.finalize(db, found.dispose)
    return found
