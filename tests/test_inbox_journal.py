"""The SQLite inbox's journal: an ack is kept by one append to a file beside the
database; a later process moves what an earlier one left into the table, once, and
skips a line cut short by a crash (it was never acked)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from handlers import inbox
from handlers.clock import FixedClock
from handlers.context import Context
from handlers.events import Invocation
from storage.inbox import NewDelivery
from storage.inbox_journal import InboxJournal, Journaled, journal_path
from storage.migrate import upgrade
from storage.models import Proposal
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


def test_a_line_cut_short_is_skipped_and_the_rest_read(tmp_path: Path) -> None:
    path = tmp_path / "postgate.db-inbox"
    journal = InboxJournal(path)
    at = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    delivery = NewDelivery(
        workspace=WORKSPACE, platform="slack", kind="command", key="k1", event={"text": "é ✅"}
    )
    journal.append(Journaled(delivery=delivery, received_at=at))
    with open(path, "ab") as file:
        file.write(b'{"workspace":"test:T1","platform":"sl')  # the process died mid-write
    assert InboxJournal(path).read() == [Journaled(delivery=delivery, received_at=at)]
    journal.clear()
    assert InboxJournal(path).read() == []
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
    assert journal.read_text().count("\n") == 1
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
    assert journal.read_text() == ""
    await second.db.dispose()
