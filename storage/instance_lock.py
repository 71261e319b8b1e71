"""One `postgate run` per database.

Two processes serving one database would both send every reminder, and both replay
the same unfinished deliveries. So `postgate run` holds a lock on its database for as
long as it serves, and a second one is refused at start, with a message that says why.

- SQLite: an exclusive `flock` on a file beside the database (`postgate.db-run`),
  which holds the running process's id. The system lets go of the lock when the
  process ends, however it ends. On a filesystem
  with no locks at all (some network mounts), postgate serves and warns.
- PostgreSQL: a session-level advisory lock on a connection of its own, in autocommit
  so that it holds no transaction open. The server lets go of it when the connection
  closes, which it does when the process ends, however it ends.
- An in-memory SQLite database belongs to its process alone: nothing to lock.

The commands that only read or report (`postgate proposals`, `stats`, `export`) take
no lock: they may run beside the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from sqlalchemy import func, select

from storage.db import Database
from storage.urls import safe_url, sqlite_file

log = logging.getLogger(__name__)

# A process killed a moment ago may still hold it: PostgreSQL ends its session soon
# after, not at once. A second start by mistake waits this long before it is refused.
WAIT_SECONDS = 3.0
RETRY_SECONDS = 0.25
# pg_try_advisory_lock's key, which no other program on the database should use: the
# bytes of "postgate" read as a signed 64-bit number.
ADVISORY_KEY = int.from_bytes(b"postgate", "big", signed=True)


class AlreadyRunning(Exception):
    """Another postgate is serving this database."""


def _lock_path(url: str) -> Path | None:
    """The lock file of a SQLite database; None for other databases."""
    database = sqlite_file(url)
    return None if database is None else Path(f"{database}-run")


@contextlib.asynccontextmanager
async def instance_lock(db: Database, *, wait: float = WAIT_SECONDS) -> AsyncIterator[None]:
    """Hold the database's lock while the block runs. When another process holds it,
    try again for up to `wait` seconds, then raise AlreadyRunning."""
    deadline = time.monotonic() + wait
    while True:
        try:
            if db.is_sqlite:
                with _file_lock(db.url):
                    yield
            else:
                async with _advisory_lock(db):
                    yield
            return
        except _Held as held:
            if time.monotonic() >= deadline:
                raise AlreadyRunning(str(held)) from None
        await asyncio.sleep(RETRY_SECONDS)


class _Held(Exception):
    """The lock is held elsewhere (raised before the block runs, never from it)."""


@contextlib.contextmanager
def _file_lock(url: str) -> Iterator[None]:
    path = _lock_path(url)
    if path is None:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            raise _Held(
                _refusal(database=str(sqlite_file(url)), holder=holder if holder.isdigit() else "")
            ) from None
        except OSError as exc:
            # Some network filesystems have no locks at all: serve, but say so.
            log.warning(
                "could not lock %s (%s): make sure only one postgate runs on this database",
                path,
                exc.strerror or type(exc).__name__,
            )
            yield
            return
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # which lets go of the lock


@contextlib.asynccontextmanager
async def _advisory_lock(db: Database) -> AsyncIterator[None]:
    async with db.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        try:
            if not await conn.scalar(select(func.pg_try_advisory_lock(ADVISORY_KEY))):
                raise _Held(_refusal(database=safe_url(db.url), holder=""))
            yield
        finally:
            # Closed, not returned to the pool: a pooled connection would keep the lock.
            await conn.invalidate()


def _refusal(*, database: str, holder: str) -> str:
    who = f"process {holder}" if holder else "another process"
    return (
        f"postgate is already running on this database ({who}; {database}). Two at once "
        "would send every reminder twice and could lose deliveries: stop the other one "
        "first, or give this one a DATABASE_URL of its own."
    )
