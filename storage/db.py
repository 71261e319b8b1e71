"""The async engine and sessions: one `Database` per process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import fields
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Table, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.urls import async_url

T = TypeVar("T")

# Work that every transaction of the current task commits with its own: while a
# delivery runs, the mark that it is done (`handlers.delivery`), so the mark and the
# work's effect are committed together or not at all.
also_commit: ContextVar[Callable[[AsyncSession], Awaitable[object]] | None] = ContextVar(
    "also_commit", default=None
)


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Set on every SQLite connection postgate opens.

    The busy timeout comes first so that switching to WAL waits for a lock instead of
    failing with "database is locked". WAL lets the scheduler and the bot read while one
    writes. In WAL mode, synchronous=NORMAL keeps every commit across a crash or kill of
    the process (only a power cut can lose the last commits) without an fsync per
    commit, which is what made an ack wait. Foreign keys are off by default in SQLite.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        target = async_url(url)
        sqlite = target.get_backend_name() == "sqlite"
        # PostgreSQL: room for a burst of deliveries, each inserted on a connection of
        # its own before its ack; connections beyond the pool are closed when handed
        # back, and opening them again for every burst slowed the acks.
        pool = {} if sqlite else {"pool_size": 20}
        self.engine: AsyncEngine = create_async_engine(
            target, echo=echo, pool_pre_ping=True, **pool
        )
        # SQLite has one writer at a time; a transaction waiting for it in SQLite's busy
        # handler sleeps in steps of up to 100 ms, so this process's transactions take
        # turns here instead, woken the moment the one before them ends.
        self._writer: asyncio.Lock | contextlib.nullcontext[None] = contextlib.nullcontext()
        if sqlite:
            event.listen(self.engine.sync_engine, "connect", sqlite_pragmas)
            self._writer = asyncio.Lock()
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit on success, roll back on any error."""
        async with self._writer, self._sessions() as session, session.begin():
            yield session
            extra = also_commit.get()
            if extra is not None:
                await extra(session)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for reads (and callers that manage their own commits)."""
        async with self._sessions() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


async def insert_ignoring_duplicates(
    session: AsyncSession, table: Table, values: Mapping[str, object]
) -> bool:
    """Insert one row; False (and nothing written) when a unique key already has it."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT.
    key = next(iter(table.primary_key.columns))
    stmt = insert(table).values(**values).on_conflict_do_nothing().returning(key)
    return (await session.execute(stmt)).first() is not None


# Why a database refuses every write until someone acts: SQLite's SQLITE_FULL (a full
# disk) and SQLITE_READONLY (a read-only file or folder); PostgreSQL's disk_full and
# read_only_sql_transaction (a server in recovery, or made read-only).
_SQLITE_REFUSALS = {13, 8}
_POSTGRES_REFUSALS = {"53100", "25006"}
# What the log says of such an error, for the operator who must act on it.
REFUSED_WRITES = (
    "the database refuses writes (a full disk, or a read-only file or server): free some "
    "space or make the database writable"
)


def log_failure(logger: logging.Logger, exc: BaseException, message: str, *args: object) -> None:
    """Log a failure: with its traceback, unless the database refused a write, which is
    no bug but the operator's to fix (one line that says what to do)."""
    if refuses_writes(exc):
        logger.error(f"{message}: %s", *args, REFUSED_WRITES)
    else:
        logger.exception(message, *args)


def refuses_writes(exc: BaseException) -> bool:
    """Whether `exc` says the database refuses writes (a full disk, a read-only file or
    server). The failed transaction wrote nothing, and the next fails the same way until
    someone frees space or makes the database writable."""
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _SQLITE_REFUSALS  # the primary code, without the extended part
    return getattr(orig, "sqlstate", None) in _POSTGRES_REFUSALS


def snapshot_of(cls: type[T], row: object, **overrides: object) -> T:
    """A frozen dataclass `cls` filled from the same-named attributes of `row`, so
    handlers get a snapshot, never the row itself; `overrides` convert what differs."""
    names = (f.name for f in fields(cls))  # type: ignore[arg-type]
    return cls(**{name: getattr(row, name) for name in names if name not in overrides} | overrides)


def rowcount(result: object) -> int:
    """The rows an UPDATE or DELETE matched."""
    return cast(CursorResult[Any], result).rowcount
