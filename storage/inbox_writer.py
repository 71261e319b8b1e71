"""The insert before an ack on SQLite, written on the event loop itself over a DBAPI
connection of its own, in one short transaction that never waits for a lock
(`try_accept`): BEGIN IMMEDIATE with a zero busy timeout, so when the work's own
transaction holds the write lock it returns at once and the caller looks again
shortly, never blocking the loop behind a coroutine on that loop.

SQLAlchemy still writes the statement (compiled once from the model) and converts each
value (the model's own column types), but the batch goes straight to the driver: the
engine's pool, events and result machinery cost more than the insert and the commit
together, on the one thread every ack shares (measured with benchmarks/slack_ack.py:
see docs/slack.md). WAL with synchronous=NORMAL: the commit survives a killed process,
with no fsync.

PostgreSQL needs none of this: see `storage.inbox.accept_committed`.
"""

from __future__ import annotations

import contextlib
import sqlite3
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.pool import NullPool

from storage.db import Database, sqlite_pragmas
from storage.inbox import NewDelivery, Pending, accepted, insert_rows
from storage.models import InboxItem
from storage.urls import sync_url

BUSY_SECONDS = 5.0  # as the async engine's busy_timeout
# SQLite's own busy wait sleeps up to 100 ms between looks while the work's
# transactions come and go; an ack cannot wait that long.
BUSY_POLL_SECONDS = 0.0005

_Bind = Callable[[Any], Any] | None


def _prepare(dbapi_connection: Any, record: Any) -> None:
    # As every connection (WAL, which this writer may be the first to switch on), then:
    # no busy wait (`try_accept` looks again itself), and no checkpoints: a commit that
    # crosses SQLite's WAL size limit copies the WAL back into the database before it
    # returns (about 100 ms here); the app's other connections do that, never the ack's.
    sqlite_pragmas(dbapi_connection, record)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=0")
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()
    # Transactions are begun by `try_accept`, not by the driver.
    dbapi_connection.isolation_level = None


class _InsertStatement:
    """The model's `INSERT ... ON CONFLICT DO NOTHING RETURNING id, workspace, key`, as
    SQL text with its parameters in order and each column type's conversion."""

    def __init__(self, dialect: Dialect, columns: Sequence[str]) -> None:
        table = InboxItem.__table__
        compiled = (
            sqlite_insert(InboxItem)
            .on_conflict_do_nothing()
            .returning(InboxItem.id, InboxItem.workspace, InboxItem.key)
            .compile(dialect=dialect, column_keys=list(columns))
        )
        self.sql = str(compiled)
        order = compiled.positiontup or []
        binds: list[_Bind] = [
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in order
        ]
        self._fields = list(zip(order, binds, strict=True))

    def parameters(self, row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(row[name] if bind is None else bind(row[name]) for name, bind in self._fields)


def _busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class InboxWriter:
    def __init__(self, url: str) -> None:
        self._engine: Engine = create_engine(sync_url(url), poolclass=NullPool)
        event.listen(self._engine, "connect", _prepare)
        self._insert: _InsertStatement | None = None
        self._connection: Any = None

    def _cursor(self) -> sqlite3.Cursor:
        if self._connection is None:
            # Checked out for the writer's life: one connection, its pragmas applied.
            self._connection = self._engine.raw_connection()
        cursor: sqlite3.Cursor = self._connection.cursor()
        return cursor

    def try_accept(
        self, *, deliveries: Sequence[NewDelivery], now: datetime
    ) -> list[Pending | None] | None:
        """On the caller's thread: the stored items, or None with nothing written when
        another connection holds the write lock (look again shortly)."""
        if not deliveries:
            return []
        rows = insert_rows(deliveries, now)
        if self._insert is None:
            self._insert = _InsertStatement(self._engine.dialect, list(rows[0]))
        insert = self._insert
        cursor = self._cursor()
        try:
            # The write lock up front: with it, the inserts and the commit need no
            # other lock (WAL), so a busy database fails here, before anything is
            # written, and at once.
            cursor.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            cursor.close()
            if _busy(exc):
                return None
            raise
        try:
            inserted = []
            for row in rows:
                cursor.execute(insert.sql, insert.parameters(row))
                inserted.extend(cursor.fetchall())
            cursor.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                cursor.execute("ROLLBACK")
            raise
        finally:
            cursor.close()
        return accepted(deliveries, rows, inserted, now)

    def dispose(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
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
