"""The inbox's write-ahead journal on SQLite: each delivery is appended to a file next
to the database before its ack, and moved into the `inbox_items` table later, with
the work (`handlers.inbox_accept`).

An append is one `write` to a file opened for appending: a few microseconds, never
waiting for the database's write lock, which the work's own transactions hold at
times. Its guarantee is the database's own (WAL with synchronous=NORMAL): what was
written survives the process being stopped or killed; only a power cut can lose the
last moments of both. The file sits beside the database (`postgate.db-inbox`, as
SQLite's `-wal` and `-shm`), so backing up the folder keeps both.

Lines are JSON. A line cut short (the process died inside the `write`) was never
acknowledged, so reading skips it.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy.engine import make_url

from storage.inbox import NewDelivery

log = logging.getLogger(__name__)
# Made once: `json.dumps` with any option builds a new encoder for every call.
_ENCODER = json.JSONEncoder(separators=(",", ":"))


class Journaled(NamedTuple):
    """A delivery and when it came: what `storage.inbox.store_received` stores."""

    delivery: NewDelivery
    received_at: datetime


def journal_path(url: str) -> Path | None:
    """Where a SQLite database keeps its journal; None for other databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(f"{parsed.database}-inbox")


def _line(entry: Journaled) -> bytes:
    d = entry.delivery
    record = {
        "workspace": d.workspace,
        "platform": d.platform,
        "kind": d.kind,
        "key": d.key,
        "event": d.event,
        # Seconds since the epoch: exact to the microsecond, and cheaper to write.
        "received_at": entry.received_at.timestamp(),
    }
    return (_ENCODER.encode(record) + "\n").encode()


def _entry(record: dict[str, Any]) -> Journaled:
    return Journaled(
        delivery=NewDelivery(
            workspace=str(record["workspace"]),
            platform=str(record["platform"]),
            kind=str(record["kind"]),
            key=str(record["key"]),
            event=dict(record["event"]),
        ),
        received_at=datetime.fromtimestamp(float(record["received_at"]), UTC),
    )


class InboxJournal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def read(self) -> list[Journaled]:
        """Every whole entry in the file, oldest first."""
        entries: list[Journaled] = []
        with open(self.path, "rb") as file:
            for number, raw in enumerate(file, start=1):
                try:
                    entries.append(_entry(json.loads(raw)))
                except (ValueError, KeyError, TypeError):
                    # Only the last line can be cut short, and it was never acked.
                    log.warning("skipped line %d of %s: not a whole entry", number, self.path)
        return entries

    def append(self, entry: Journaled) -> None:
        line = _line(entry)
        written = os.write(self._fd, line)
        if written != len(line):
            # A full disk: end the partial line so the next entry starts whole, and let
            # the caller fail before its ack (the platform will deliver it again).
            os.write(self._fd, b"\n")
            raise OSError(f"the inbox journal {self.path} took {written} of {len(line)} bytes")

    def clear(self) -> None:
        """Empty the file: everything in it is in the database."""
        os.ftruncate(self._fd, 0)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
