"""One `postgate run` serves a database at a time; another one stands by.

Two processes serving one database would both send every reminder and both work
through the same deliveries. So `postgate run` holds a lock on its database for as long
as it serves. A second one waits for the lock as a hot standby (it connects to nothing
else meanwhile) and takes over when the first dies, however it dies; with `--no-wait`
it is refused at start instead, with a message that says why.

- SQLite: an exclusive `flock` on a file beside the database (`postgate.db-run`), which
  holds the serving process's id. The system lets go of it when the process ends. On a
  filesystem with no locks at all (some network mounts), postgate serves and warns.
- PostgreSQL: a session-level advisory lock on a connection of its own, in autocommit
  so that it holds no transaction open, named after the process and its machine. The
  server lets go of it when that connection ends: at once when the process dies, and
  within a few checks when its machine vanishes (TCP keepalives on that connection).
  The connection can also die while the process lives (a restarted server,
  `pg_terminate_backend`): the holder checks it every `every` seconds, takes the lock
  again, or raises LockLost so that it stops serving. A standby that took the lock waits
  two checks before it serves, long enough for such a holder to notice and stop.
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
import socket
import time
from collections.abc import AsyncIterator
from typing import Protocol

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database
from storage.urls import safe_url, sqlite_file

log = logging.getLogger(__name__)

# With --no-wait: a process killed a moment ago may still hold it (PostgreSQL ends its
# session soon after, not at once), so a start by mistake is refused only after this.
NO_WAIT_SECONDS = 3.0
RETRY_SECONDS = 0.25
# The advisory lock's key, which no other program on the database should use: the bytes
# of "postgate" read as a signed 64-bit number (pg_locks shows it as classid "post",
# objid "gate").
ADVISORY_KEY = int.from_bytes(b"postgate", "big", signed=True)
_CONNECTION_FAILURES = (DBAPIError, OSError, TimeoutError)


class AlreadyRunning(Exception):
    """Another postgate is serving this database (and this one was told not to wait)."""


class LockLost(Exception):
    """The lock's connection died and the lock could not be taken again: stop serving."""


class _Held(Exception):
    """Another process holds the lock; its description ("process 12 on host-a")."""


class HeldLock(Protocol):
    async def watch(self) -> None:
        """Run while serving: never returns; raises LockLost if the lock is gone."""
        ...


@contextlib.asynccontextmanager
async def instance_lock(
    db: Database, *, every: float, wait: float | None = None
) -> AsyncIterator[HeldLock]:
    """Hold the database's lock while the block runs. While another process holds it:
    with `wait` None, stand by, trying every `every` seconds; otherwise try for `wait`
    seconds, then raise AlreadyRunning."""
    lock: _FileLock | _AdvisoryLock = (
        _FileLock(db.url) if db.is_sqlite else _AdvisoryLock(db, every=every)
    )
    deadline = None if wait is None else time.monotonic() + wait
    stood_by = False
    while True:
        try:
            await lock.take()
            break
        except _Held as held:
            if deadline is not None:
                if time.monotonic() >= deadline:
                    raise AlreadyRunning(_refusal(db, holder=str(held))) from None
            elif not stood_by:
                stood_by = True
                log.warning(
                    "standing by for %s, which serves %s; this one takes over when it stops",
                    held,
                    _where(db),
                )
        await asyncio.sleep(RETRY_SECONDS if deadline is not None else every)
    try:
        if stood_by:
            await asyncio.sleep(lock.settle)
            log.warning("the postgate serving %s stopped: taking over", _where(db))
        yield lock
    finally:
        await lock.release()


class _FileLock:
    # A flock is never lost while its process lives: a standby may serve at once.
    settle = 0.0

    def __init__(self, url: str) -> None:
        database = sqlite_file(url)
        self._path = None if database is None else f"{database}-run"
        self._fd: int | None = None

    async def take(self) -> None:
        if self._path is None:
            return
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            raise _Held(f"process {holder}" if holder.isdigit() else "another process") from None
        except OSError as exc:
            os.close(fd)
            # Some network filesystems have no locks at all: serve, but say so.
            log.warning(
                "could not lock %s (%s): make sure only one postgate runs on this database",
                self._path,
                exc.strerror or type(exc).__name__,
            )
            return
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd

    async def watch(self) -> None:
        await asyncio.Event().wait()

    async def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # which lets go of the lock
            self._fd = None


class _AdvisoryLock:
    def __init__(self, db: Database, *, every: float) -> None:
        self._db = db
        self._every = every
        self.settle = 2 * every
        self._conn: AsyncConnection | None = None

    async def take(self) -> None:
        conn = await self._db.engine.connect()
        try:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            name = f"postgate process {os.getpid()} on {socket.gethostname()}"
            alive = str(max(1, round(self._every)))
            settings = {
                "application_name": name,
                # The server probes a quiet connection this often, so that the lock of a
                # machine that vanished is freed in seconds, not hours.
                "tcp_keepalives_idle": alive,
                "tcp_keepalives_interval": alive,
                "tcp_keepalives_count": "3",
            }
            for setting, value in settings.items():
                await conn.execute(
                    text("SELECT set_config(:setting, :value, false)"),
                    {"setting": setting, "value": value},
                )
            if not await conn.scalar(select(func.pg_try_advisory_lock(ADVISORY_KEY))):
                raise _Held(await _holder(conn))
        except BaseException:
            await _close(conn)
            raise
        self._conn = conn

    async def watch(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            try:
                assert self._conn is not None
                await asyncio.wait_for(self._conn.scalar(select(1)), self._every)
                continue
            except _CONNECTION_FAILURES as exc:
                log.warning(
                    "the connection holding the lock on %s failed (%s): taking the lock again",
                    _where(self._db),
                    type(exc).__name__,
                )
            await self.release()
            try:
                await asyncio.wait_for(self.take(), self._every)
            except _Held as held:
                raise LockLost(f"{held} took over {_where(self._db)}") from None
            except _CONNECTION_FAILURES as exc:
                raise LockLost(
                    f"cannot reach {_where(self._db)} to take the lock again ({type(exc).__name__})"
                ) from None
            log.warning("took the lock on %s again", _where(self._db))

    async def release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await _close(conn)


async def _close(conn: AsyncConnection) -> None:
    # Closed, not returned to the pool: a pooled connection would keep the lock.
    with contextlib.suppress(*_CONNECTION_FAILURES):
        await conn.invalidate()
    with contextlib.suppress(*_CONNECTION_FAILURES):
        await conn.close()


async def _holder(conn: AsyncConnection) -> str:
    """Who holds the lock, by the name its connection gave itself."""
    name = await conn.scalar(
        text(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database() "
            "AND l.classid = :high AND l.objid = :low AND l.objsubid = 1"
        ),
        {"high": ADVISORY_KEY >> 32, "low": ADVISORY_KEY & 0xFFFFFFFF},
    )
    return str(name).removeprefix("postgate ") if name else "another process"


def _where(db: Database) -> str:
    return str(sqlite_file(db.url)) if db.is_sqlite else safe_url(db.url)


def _refusal(db: Database, *, holder: str) -> str:
    return (
        f"postgate is already running on this database ({holder}; {_where(db)}). Two at "
        "once would send every reminder twice and could lose deliveries: stop the other "
        "one first, or give this one a DATABASE_URL of its own."
    )
