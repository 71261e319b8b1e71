"""Replies that tell the truth when PostgreSQL connections are killed mid-work
(`pg_terminate_backend`, from another connection, as an operator or a failover
would): a member is told "nothing was changed" only when nothing was, and a
command whose work was committed is answered as done, looked up by its key."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from handlers.context import Context, Services
from handlers.delivery import Deliveries
from handlers.events import Actor, Invocation, Reply, Role
from storage.db import Database
from storage.models import Delivery, Proposal
from tests.clock import FixedClock
from tests.fakes.recording_chat import RecordingPort
from tests.workflow_support import CLEAN, START, make_services

WORKSPACE = "test:T1"
MEMBER = Actor("U-sam", "Sam", frozenset({Role.PROPOSER}))
PROPOSE = Invocation(workspace=WORKSPACE, actor=MEMBER, command="propose", text=CLEAN)


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    if not database_url.startswith("postgresql"):
        pytest.skip("connection kills are PostgreSQL's")
    built = make_services(database_url, clock=FixedClock(START))
    yield built
    await built.db.dispose()


@contextmanager
def killed_at(db: Database, url: str, statement: str) -> Iterator[list[str]]:
    """Terminate the connection about to run the first statement that starts with
    `statement`, from an administrator's connection, and wait until it is gone."""
    killed: list[str] = []
    target = make_url(url).set(drivername="postgresql")
    admin = psycopg.connect(target.render_as_string(hide_password=False))
    admin.autocommit = True

    def kill(conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if killed or not sql.lstrip().startswith(statement):
            return
        pid = conn.connection.driver_connection.info.backend_pid
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
        killed.append(sql)

    event.listen(db.engine.sync_engine, "before_cursor_execute", kill)
    try:
        yield killed
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", kill)
        admin.close()


async def propose_once(services: Services, port: RecordingPort) -> str:
    answers: list[Reply] = []

    async def answer(reply: Reply) -> None:
        answers.append(reply)

    deliveries = Deliveries(Context(services=services, port=port, workspace=WORKSPACE))
    assert await deliveries.receive(key="k1", event=PROPOSE)
    await deliveries.run(key="k1", event=PROPOSE, answer=answer)
    # Nothing is left for the next start to run again, whatever happened.
    assert await deliveries.replay(before=START + timedelta(minutes=1)) == 0
    [reply] = answers
    return reply.message.as_plain_text()


async def count(services: Services, model: type[object]) -> int:
    async with services.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_killed_before_the_commit_nothing_was_changed_and_the_member_is_told_so(
    services: Services, database_url: str
) -> None:
    port = RecordingPort()
    with killed_at(services.db, database_url, "INSERT INTO proposals") as killed:
        text = await propose_once(services, port)
    assert killed
    assert "nothing was changed" in text
    assert await count(services, Proposal) == 0
    assert port.posts == []


async def test_killed_while_marking_the_delivery_done_nothing_was_changed(
    services: Services, database_url: str
) -> None:
    # The mark is in the work's own transaction: the kill takes both back.
    port = RecordingPort()
    with killed_at(services.db, database_url, "UPDATE deliveries") as killed:
        text = await propose_once(services, port)
    assert killed
    assert "nothing was changed" in text
    assert await count(services, Proposal) == 0


async def test_killed_after_the_commit_the_member_is_told_it_went_through(
    services: Services, database_url: str
) -> None:
    # The proposal is committed; storing where its card went is killed. The card is
    # owed in the outbox, so the member is told it is saved and the card is coming.
    port = RecordingPort()
    with killed_at(services.db, database_url, "UPDATE proposals SET card_channel") as killed:
        text = await propose_once(services, port)
    assert killed
    assert "It is saved" in text and "nothing was changed" not in text
    assert await count(services, Proposal) == 1
    assert len(port.posts) == 1
    async with services.db.session() as session:
        assert await session.scalar(select(Delivery.done_at)) is not None
