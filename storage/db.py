"""The async engine and sessions: one `Database` per process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.urls import async_url


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
        self.engine: AsyncEngine = create_async_engine(target, echo=echo, pool_pre_ping=True)
        if target.get_backend_name() == "sqlite":
            event.listen(self.engine.sync_engine, "connect", sqlite_pragmas)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._before_dispose: list[Callable[[], Awaitable[None]]] = []

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit on success, roll back on any error."""
        async with self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for reads (and callers that manage their own commits)."""
        async with self._sessions() as session:
            yield session

    def before_dispose(self, close: Callable[[], Awaitable[None]]) -> None:
        """Run `close` when the database is disposed, before its engine: for a
        connection kept out of the pool, which the engine's dispose does not close."""
        self._before_dispose.append(close)

    async def dispose(self) -> None:
        closes, self._before_dispose = self._before_dispose, []
        for close in closes:
            await close()
        await self.engine.dispose()
