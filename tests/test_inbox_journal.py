"""The SQLite inbox's journal: an ack is kept by one append to a file beside the
database; a later process moves what an earlier one left into the table, once, and
skips a record cut short by a crash (it was never acked)."""

from __future__ import annotations

import json
import os
import pickle
import struct
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from handlers import inbox
from handlers.context import Context
from handlers.events import Invocation
from storage.inbox import Pending
from storage.inbox_journal import UNSTORED, InboxJournal, journal_path
from storage.migrate import upgrade
from storage.models import Proposal
from tests.clock import FixedClock
from tests.fakes.recording_chat import RecordingPort
from tests.inbox_support import MEMBER, WORKSPACE, count, stored_items
from tests.workflow_support import START, make_services

DRAFT = "Come and help at our street stall in St Neots market square on Saturday."


def propose(text: str = DRAFT) -> Invocation:
    return Invocation(
        workspace=WORKSPACE, actor=MEMBER, command="propose", text=text, channel="C-general"
    )


def test_the_journal_sits_beside_a_sqlite_file_only(tmp_path: Path) -> None:
    assert journal_path(f"sqlite:///{tmp_path}/postgate.db") == tmp_path / "postgate.db-inbox"
    assert journal_path("sqlite://") is None
    assert journal_path("postgresql+psycopg://postgres@127.0.0.1/test") is None


def _item(key: str, *, at: datetime, text: str = "é ✅") -> Pending:
    return Pending(
        id=UNSTORED,
        workspace=WORKSPACE,
        platform="slack",
        kind="command",
        key=key,
        event={"text": text, "actor": {"id": "U1", "roles": []}, "channel": None},
        received_at=at,
        attempts=0,
    )


AT = datetime(2026, 11, 27, 9, 30, 0, 123456, tzinfo=UTC)


def test_a_record_cut_short_is_skipped_and_the_rest_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "postgate.db-inbox"
    journal = InboxJournal(path)
    first, second = _item("k1", at=AT), _item("k2", at=AT + timedelta(seconds=1))
    journal.append(first)
    journal.append(second)
    whole = path.read_bytes()
    with open(path, "ab") as file:
        file.write(whole[:20])  # the process died inside the write
    assert InboxJournal(path).read() == [first, second]
    assert "not a whole entry" in caplog.text
    journal.clear()
    assert InboxJournal(path).read() == []
    journal.close()


def test_a_journal_written_as_lines_of_json_is_still_read(tmp_path: Path) -> None:
    # As postgate wrote it before records; a new process appends records after it.
    path = tmp_path / "postgate.db-inbox"
    old = {
        "workspace": WORKSPACE,
        "platform": "slack",
        "kind": "command",
        "key": "k-old",
        "event": {"text": "é ✅", "actor": {"id": "U1", "roles": []}, "channel": None},
        "received_at": AT.timestamp(),
    }
    path.write_bytes(
        (json.dumps(old) + "\n").encode()
        + b'{"workspace":"test:T1","platf\n'  # cut short by a full disk, then ended
        + (json.dumps(old | {"key": "k-old2"}) + "\n").encode()
    )
    journal = InboxJournal(path)
    journal.append(_item("k-new", at=AT))
    assert [(i.key, i.received_at) for i in journal.read()] == [
        ("k-old", AT),
        ("k-old2", AT),
        ("k-new", AT),
    ]
    journal.close()


def test_a_record_naming_a_class_is_refused_not_loaded(tmp_path: Path) -> None:
    path = tmp_path / "postgate.db-inbox"
    journal = InboxJournal(path)
    journal.append(_item("k1", at=AT))
    # A record whose pickle would import and call something: skipped, never run.
    payload = pickle.dumps((1, "w", "slack", "command", "k2", {"x": Path("/")}, 0.0))
    path.write_bytes(
        path.read_bytes()
        + b"\x00"
        + struct.pack("<II", len(payload), zlib.crc32(payload))
        + payload
    )
    journal.append(_item("k3", at=AT))
    assert [i.key for i in journal.read()] == ["k1", "k3"]
    journal.close()


async def test_what_a_killed_process_acked_runs_once_after_the_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/postgate.db"
    upgrade(url)
    journal = tmp_path / "postgate.db-inbox"
    clock = FixedClock(START)
    first = make_services(url, clock=clock)
    ctx = Context(services=first, port=RecordingPort(), workspace=WORKSPACE)
    acked = await inbox.accept(ctx, platform="slack", key="k-acked", event=propose())
    assert acked is not None
    # Killed before any work ran: the delivery is in the journal only.
    assert [i.key for i in InboxJournal(journal).read()] == ["k-acked"]
    await first.db.dispose()

    clock.advance(timedelta(seconds=30))
    second = make_services(url, clock=clock)
    port = RecordingPort()
    ctx = Context(services=second, port=port, workspace=WORKSPACE)
    # Slack retries the same delivery after the restart: it is not run twice.
    retry = await inbox.accept(ctx, platform="slack", key="k-acked", event=propose())
    assert retry is not None
    assert await inbox.replay(ctx, received_before=clock.now(), settle=timedelta(0)) == 1
    assert await inbox.process(retry, ctx) is False
    assert await count(second, Proposal) == 1
    [item] = await stored_items(second)
    assert item.key == "k-acked" and item.done_at is not None and item.received_at == START
    [(user, message)] = port.notes
    assert user == MEMBER.id and "restarted before it could answer" in message.as_plain_text()
    # Everything in the journal is in the table now: the file is emptied.
    assert journal.read_bytes() == b""
    await second.db.dispose()


def test_a_record_the_disk_took_only_part_of_is_taken_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "postgate.db-inbox"
    journal = InboxJournal(path)
    journal.append(_item("k1", at=AT))
    whole = path.read_bytes()
    real_write = os.write

    def full_disk(fd: int, data: bytes) -> int:
        return real_write(fd, data[:10])

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(OSError, match="took 10 of"):
        journal.append(_item("k2", at=AT))
    monkeypatch.undo()
    # The caller never acked k2; the file is as before it, and the next record is whole.
    assert path.read_bytes() == whole
    journal.append(_item("k3", at=AT))
    assert [i.key for i in journal.read()] == ["k1", "k3"]
    journal.close()
