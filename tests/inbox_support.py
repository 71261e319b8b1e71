"""Fixtures for the inbox tests: one workspace's services on the test database, a fixed
clock and a platform that records what it is asked to post."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from handlers.context import Context, Services
from handlers.events import Actor, Role
from handlers.inbox_accept import acceptor_for
from storage.models import InboxItem
from tests.clock import FixedClock
from tests.fakes.recording_chat import RecordingPort
from tests.workflow_support import START, make_services

WORKSPACE = "test:T1"
MEMBER = Actor("U-sam", "Sam", frozenset({Role.PROPOSER}))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
async def services(database_url: str, clock: FixedClock) -> AsyncIterator[Services]:
    built = make_services(database_url, clock=clock)
    yield built
    await built.db.dispose()


@pytest.fixture
def port() -> RecordingPort:
    return RecordingPort()


@pytest.fixture
def ctx(services: Services, port: RecordingPort) -> Context:
    return Context(services=services, port=port, workspace=WORKSPACE)


async def count(services: Services, model: type[object], *where: object) -> int:
    """How many rows of `model` there are, of those matching every condition in `where`."""
    async with services.db.session() as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)  # type: ignore[arg-type]
        return int((await session.execute(query)).scalar_one())


async def stored_items(services: Services) -> list[InboxItem]:
    """The inbox table's rows, oldest first, once the journal's entries (SQLite) are in it."""
    await acceptor_for(db=services.db, clock=services.clock).store_journaled()
    async with services.db.session() as session:
        return list((await session.execute(select(InboxItem).order_by(InboxItem.id))).scalars())
