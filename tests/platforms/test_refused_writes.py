"""A database that refuses writes: a full disk, a read-only SQLite file, a read-only
PostgreSQL server. The member is told why in plain words, nothing is half-written,
and what postgate had acknowledged is done once the database takes writes again.

The faults are the database's own: SQLite's `query_only` and `max_page_count`, and
PostgreSQL's `default_transaction_read_only`, set on every connection postgate opens
from then on (its pool is emptied, as after a restart of the database)."""

from __future__ import annotations

import asyncio
import io
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from bot.platforms.local.platform import LocalPlatform, LocalWorkspace
from bot.platforms.slack.events import form_view
from handlers.events import Invocation, Reply
from storage.db import Database
from storage.models import Base, Delivery, Proposal
from tests.clock import FixedClock
from tests.fakes.discord_server import REVIEW_CHANNEL, FakeDiscord
from tests.fakes.slack_harness import (
    GENERAL,
    REVIEW,
    reaction_event,
    running_slack,
)
from tests.platforms.discord.test_flow import PAT, fake, running, settings_for
from tests.workflow_support import CLEAN, START, WorkspaceFactory, db_of, make_workspace

__all__ = ["fake", "make_workspace"]  # fixtures used below

REFUSED = "its database is full or read-only, so nothing was changed"
# Stored, it is longer than a database page (4,096 bytes): it needs a page the full
# disk no longer has. Posts may be up to 4,000 characters.
LONG_POST = ((CLEAN + " ") * 70)[:3990]


async def row_counts(db: Database) -> dict[str, int]:
    async with db.session() as session:
        return {
            table.name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def _admin(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def refusing_writes(db: Database, url: str) -> AsyncIterator[None]:
    """Inside, every connection `db` opens refuses writes: a read-only file (SQLite), a
    server made read-only (PostgreSQL)."""
    if url.startswith("sqlite"):
        with _on_connect(db, "PRAGMA query_only=ON"):
            await db.dispose()
            yield
        await db.dispose()
        return
    name = make_url(url).database
    with psycopg.connect(_admin(url), autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    await db.dispose()
    try:
        yield
    finally:
        with psycopg.connect(_admin(url), autocommit=True) as conn:
            conn.execute("SET default_transaction_read_only = off")  # this session's own
            conn.execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
        await db.dispose()


@asynccontextmanager
async def full_disk(db: Database, url: str) -> AsyncIterator[None]:
    """Inside, the SQLite file cannot grow: every free page is taken, as on a full disk.
    Writes that fit in the pages already there still succeed, as they would."""
    path = make_url(url).database
    assert path
    filler = sqlite3.connect(path, isolation_level=None)
    try:
        filler.execute("CREATE TABLE IF NOT EXISTS filler (x BLOB)")
        pages = int(filler.execute("PRAGMA page_count").fetchone()[0])
        filler.execute(f"PRAGMA max_page_count={pages}")
        for size in (65536, 4096, 1024, 256, 16):
            with pytest.raises(sqlite3.OperationalError, match="full"):
                while True:
                    filler.execute("INSERT INTO filler VALUES (zeroblob(?))", (size,))
    finally:
        filler.close()
    with _on_connect(db, f"PRAGMA max_page_count={pages}"):
        await db.dispose()
        yield
    await db.dispose()


@contextmanager
def _on_connect(db: Database, pragma: str) -> Iterator[None]:
    def run(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(pragma)
        cursor.close()

    event.listen(db.engine.sync_engine, "connect", run)
    try:
        yield
    finally:
        event.remove(db.engine.sync_engine, "connect", run)


def told(lines: list[str]) -> str:
    return "\n".join(lines)


# -- the local workspace ------------------------------------------------------------


async def test_on_a_read_only_database_commands_and_votes_are_refused_kindly(
    make_workspace: WorkspaceFactory, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    ws = await make_workspace()
    await ws.send(f"/propose {CLEAN}")
    db = db_of(ws)
    before = await row_counts(db)
    async with refusing_writes(db, database_url):
        proposed = told(await ws.send("/propose Vote Labour on Thursday in St Neots."))
        await ws.send("/as editor")
        voted = told(await ws.send("/react 1 white_check_mark"))
        idea = told(await ws.send("/idea A litter pick in Godmanchester"))
        after = await row_counts(db)
    assert f"could not take your /propose: {REFUSED}" in proposed
    assert "tell an IT officer, and send it again once they have fixed it" in proposed
    assert f"could not take your reaction: {REFUSED}" in voted
    assert "react again" in voted
    assert REFUSED in idea
    assert "Traceback" not in proposed + voted + idea
    assert after == before  # nothing half-written, nothing at all
    # For the operator: what to do, in one line each, and no traceback.
    assert [r for r in caplog.records if r.exc_info] == []
    assert "free some space or make the database writable" in caplog.text

    # Writable again: the same lines work, once each.
    await ws.send("/as alex")
    assert "[#review] Proposal 2 from alex" in told(
        await ws.send("/propose Vote Labour on Thursday in St Neots.")
    )
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Proposal)) == 2


async def test_on_a_full_disk_a_proposal_is_done_whole_or_refused_whole(
    make_workspace: WorkspaceFactory, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("a full disk is simulated on the SQLite file")
    ws = await make_workspace()
    db = db_of(ws)
    async with full_disk(db, database_url):
        before = await row_counts(db)
        out = told(await ws.send(f"/propose {LONG_POST}"))
        after = await row_counts(db)
        # A short line may still fit in the pages the file has: then it is done whole.
        short = told(await ws.send("/propose Join us at the St Ives street stall on Saturday."))
        async with db.session() as session:
            proposals = list(await session.scalars(select(Proposal)))
            pending = await session.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.done_at.is_(None))
            )
    assert f"could not take your /propose: {REFUSED}" in out
    assert after == before
    if REFUSED in short:
        assert proposals == []
    else:
        assert "[#review] Proposal 1 from alex" in short
        assert [p.status for p in proposals] == ["pending"]
    assert pending == 0

    # Space freed: the long post goes through.
    assert "[#review] Proposal" in told(await ws.send(f"/propose {LONG_POST}"))


async def test_a_command_acked_before_the_database_refused_writes_runs_at_the_next_start(
    make_workspace: WorkspaceFactory, database_url: str
) -> None:
    """The disk filled (or the file turned read-only) between the ack and the work: the
    member is told it is kept, and the next start does it and says so."""
    clock = FixedClock(START)
    ws = await make_workspace(clock=clock)
    db = db_of(ws)
    line = Invocation(
        workspace="local", actor=ws.actor(), command="propose", text=CLEAN, channel="comms"
    )
    assert await ws.deliveries.receive(key="local:acked", event=line)
    answers: list[Reply] = []

    async def answer(reply: Reply) -> None:
        answers.append(reply)

    before = await row_counts(db)
    async with refusing_writes(db, database_url):
        await ws.deliveries.run(key="local:acked", event=line, answer=answer)
    assert await row_counts(db) == before  # the delivery stays, pending; nothing else
    [reply] = answers
    assert "could not do your /propose yet: its database is full or read-only" in (
        reply.message.body
    )
    assert "no need to send it again" in reply.message.body

    clock.advance(timedelta(minutes=5))  # an IT officer frees space and restarts postgate
    stdout = io.StringIO()
    platform = LocalPlatform(
        workspace=LocalWorkspace(services=ws.ctx.services), stdin=io.StringIO(""), stdout=stdout
    )
    await platform.start()
    await asyncio.wait_for(platform.wait_closed(), timeout=30)
    await platform.stop()
    out = stdout.getvalue()
    assert "[#review] Proposal 1 from alex" in out
    assert "restarted before it could answer your /propose" in out
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Proposal)) == 1


# -- Slack and Discord ---------------------------------------------------------------


async def test_slack_answers_a_refused_command_and_leaves_events_to_be_sent_again(
    database_url: str,
) -> None:
    async with running_slack(database_url) as slack:
        db = slack.services.db
        before = await row_counts(db)
        async with refusing_writes(db, database_url):
            status, body = await slack.sender.command(text=CLEAN, user_id="UMEMBER01")
            view = form_view(
                command="propose", title="/propose", prompt="Your post", channel_id=GENERAL
            )
            form_status, form_body = await slack.sender.submit_form(view, text=CLEAN)
            vote_status, _ = await slack.sender.event(
                reaction_event(
                    user="UEDITOR01", emoji="white_check_mark", channel=REVIEW, ts="1.2"
                ),
                event_id="Ev-refused",
            )
            after = await row_counts(db)
        assert (status, form_status) == (200, 200)
        assert f"could not take your /propose: {REFUSED}" in body
        assert REFUSED in form_body and "response_action" in form_body
        assert vote_status == 500  # not acked: Slack sends it again
        assert after == before
        assert slack.fake.calls_to("chat.postMessage") == []

        status, _ = await slack.sender.command(text=CLEAN, user_id="UMEMBER01")
        assert status == 200
        await slack.fake.wait_calls("chat.postMessage", 1)


async def test_discord_answers_a_refused_command_at_once(
    fake: FakeDiscord, database_url: str
) -> None:
    async with running(settings_for(fake, database_url)) as (_platform, services):
        db = services.db
        before = await row_counts(db)
        async with refusing_writes(db, database_url):
            payload = await fake.slash_command(
                "propose", user_id=PAT, subcommand="new", options={"text": CLEAN}
            )
            await fake.wait_for(lambda: fake.callbacks.get(int(payload["id"])))
            after = await row_counts(db)
        callback = fake.callbacks[int(payload["id"])]
        shown = str(callback["data"])
        assert REFUSED in shown
        assert callback["data"]["flags"] & 64  # ephemeral: for the member alone
        assert after == before
        assert fake.channel_messages(REVIEW_CHANNEL) == []
