"""The inbox's write-ahead journal on SQLite: each delivery is appended to a file next
to the database before its ack, and moved into the `inbox_items` table later, with
the work (`handlers.inbox_accept`).

An append is one `write` to a file opened for appending: a few microseconds, never
waiting for the database's write lock, which the work's own transactions hold at
times. Its guarantee is the database's own (WAL with synchronous=NORMAL): what was
written survives the process being stopped or killed; only a power cut can lose the
last moments of both. The file sits beside the database (`postgate.db-inbox`, as
SQLite's `-wal` and `-shm`), so backing up the folder keeps both.

Each entry is a record: a zero byte, the payload's length and CRC-32, and the payload,
a pickle of plain data (strings, numbers, the event's dict), read back by an unpickler
that refuses everything else. Pickle, not JSON: encoding JSON was the largest single
cost of an ack (about four times pickle's, in instructions per delivery). A record cut
short (the process died inside the `write`) was never acknowledged, so reading stops
there. Lines of JSON, as journals were written before the records, are still read.
"""

from __future__ import annotations

import io
import json
import logging
import os
import pickle
import struct
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storage.inbox import Pending
from storage.urls import sqlite_file

log = logging.getLogger(__name__)
UNSTORED = 0  # the id of an item still in the journal (database ids start at 1)


def journal_path(url: str) -> Path | None:
    """Where a SQLite database keeps its journal; None for other databases."""
    database = sqlite_file(url)
    return None if database is None else Path(f"{database}-inbox")


_RECORD = b"\x00"  # a record starts with it; a line of JSON starts with "{"
_HEADER = struct.Struct("<II")  # the payload's length and CRC-32
_VERSION = 1


def _record(item: Pending) -> bytes:
    payload = pickle.dumps(
        (
            _VERSION,
            # str(): the kind may be an enum, which is not plain data.
            str(item.workspace),
            str(item.platform),
            str(item.kind),
            str(item.key),
            dict(item.event),
            # Seconds since the epoch: exact to the microsecond, and plain data.
            item.received_at.timestamp(),
        ),
        protocol=5,
    )
    return _RECORD + _HEADER.pack(len(payload), zlib.crc32(payload)) + payload


class _PlainData(pickle.Unpickler):
    """Strings, numbers, lists and dicts only: a pickle naming any class or function
    (which loading would import and call) is refused."""

    def find_class(self, module: str, name: str, /) -> Any:
        raise pickle.UnpicklingError(f"not plain data: {module}.{name}")


def _from_record(payload: bytes) -> Pending:
    version, workspace, platform, kind, key, event, received_at = _PlainData(
        io.BytesIO(payload)
    ).load()
    if version != _VERSION:
        raise ValueError(f"journal record version {version!r}")
    return _item(workspace, platform, kind, key, event, received_at)


def _from_line(line: bytes) -> Pending:
    record = json.loads(line)
    return _item(
        record["workspace"],
        record["platform"],
        record["kind"],
        record["key"],
        record["event"],
        record["received_at"],
    )


def _item(
    workspace: Any, platform: Any, kind: Any, key: Any, event: Any, received_at: Any
) -> Pending:
    return Pending(
        id=UNSTORED,
        workspace=str(workspace),
        platform=str(platform),
        kind=str(kind),
        key=str(key),
        event=dict(event),
        received_at=datetime.fromtimestamp(float(received_at), UTC),
        attempts=0,
    )


def _entries(data: bytes) -> Iterator[Pending]:
    """The whole entries in `data`, oldest first."""
    at = number = 0
    decode: Callable[[bytes], Pending]
    while at < len(data):
        number += 1
        if data[at : at + 1] == _RECORD:
            start = at + 1 + _HEADER.size
            if start > len(data):
                break
            length, crc = _HEADER.unpack_from(data, at + 1)
            payload = data[start : start + length]
            if len(payload) < length or zlib.crc32(payload) != crc:
                break
            decode, raw, at = _from_record, payload, start + length
        else:
            end = data.find(b"\n", at)
            if end < 0:
                break
            decode, raw, at = _from_line, data[at:end], end + 1
        try:
            yield decode(raw)
        except (pickle.UnpicklingError, ValueError, KeyError, TypeError) as exc:
            # A line an older version cut short (a full disk), or a record this
            # version cannot read: the rest of the file is still whole.
            log.error("skipped entry %d of the inbox journal: %s", number, type(exc).__name__)
    if at < len(data):
        # Only the last entry can be cut short, and it was never acked.
        log.warning("skipped the inbox journal's last %d bytes: not a whole entry", len(data) - at)


class InboxJournal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def read(self) -> list[Pending]:
        """Every whole entry in the file, oldest first, as items not yet stored."""
        return list(_entries(self.path.read_bytes()))

    def append(self, item: Pending) -> None:
        record = _record(item)
        written = os.write(self._fd, record)
        if written != len(record):
            # A full disk: take the partial record back, so the next one starts whole,
            # and let the caller fail before its ack (the platform delivers it again).
            os.ftruncate(self._fd, os.fstat(self._fd).st_size - written)
            raise OSError(f"the inbox journal {self.path} took {written} of {len(record)} bytes")

    def clear(self) -> None:
        """Empty the file: everything in it is in the database."""
        os.ftruncate(self._fd, 0)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
