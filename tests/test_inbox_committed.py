"""PostgreSQL's inserts before an ack keep one connection of their own: every batch
goes over it, a connection the server closed is replaced for the next batch, and
disposing of the database closes it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, func, select, text

from storage.db import Database
from storage.inbox import NewDelivery
from storage.inbox_committed import CommittedInserts
from storage.models import InboxItem
from storage.urls import sync_url

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


@pytest.fixture
def pg_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's path: SQLite keeps a journal instead")
    return database_url


@pytest.fixture
async def db(pg_url: str, database: Database) -> Database:
    return database


def delivery(key: str) -> NewDelivery:
    return NewDelivery(
        workspace="slack:T1", platform="slack", kind="invocation", key=key, event={"n": key}
    )


def our_connections(url: str) -> int:
    """Connections to the test's database other than the one asking."""
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            return int(
                conn.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
                or 0
            )
    finally:
        engine.dispose()


def close_them_all(url: str) -> None:
    """What a server restart does to the connections it had."""
    engine = create_engine(sync_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        engine.dispose()


async def stored_keys(db: Database) -> list[str]:
    async with db.session() as session:
        return list(await session.scalars(select(InboxItem.key).order_by(InboxItem.key)))


async def test_every_batch_goes_over_one_connection(db: Database, pg_url: str) -> None:
    inserts = CommittedInserts(db.engine)
    first = await inserts.accept([delivery("k1"), delivery("k2")], now=NOW)
    again = await inserts.accept([delivery("k2"), delivery("k3")], now=NOW)

    assert [item is not None for item in first] == [True, True]
    assert [item is not None for item in again] == [False, True]  # k2 was accepted before
    assert db.engine.sync_engine.pool.checkedout() == 1
    assert our_connections(pg_url) == 1
    assert await stored_keys(db) == ["k1", "k2", "k3"]
    await inserts.close()


async def test_a_connection_the_server_closed_is_replaced(db: Database, pg_url: str) -> None:
    inserts = CommittedInserts(db.engine)
    await inserts.accept([delivery("before")], now=NOW)
    close_them_all(pg_url)

    [item] = await inserts.accept([delivery("after")], now=NOW)

    assert item is not None and item.key == "after"
    assert await stored_keys(db) == ["after", "before"]
    await inserts.close()


async def test_disposing_of_the_database_closes_it(pg_url: str) -> None:
    db = Database(pg_url)
    inserts = CommittedInserts(db.engine)
    db.before_dispose(inserts.close)
    await inserts.accept([delivery("k1")], now=NOW)
    assert our_connections(pg_url) == 1

    await db.dispose()

    assert our_connections(pg_url) == 0
    assert db.engine.sync_engine.pool.checkedout() == 0


async def test_the_ack_path_keeps_its_connection(pg_url: str) -> None:
    """Through the inbox as the platforms use it: many acks, one connection."""
    from handlers.inbox_accept import acceptor_for
    from tests.clock import FixedClock

    db = Database(pg_url)
    try:
        acceptor = acceptor_for(db=db, clock=FixedClock(NOW))
        for n in range(5):
            await acceptor.accept(
                workspace="slack:T1", platform="slack", kind="invocation", key=f"a{n}", event={}
            )
        assert our_connections(pg_url) == 1
        async with db.session() as session:
            assert await session.scalar(select(func.count()).select_from(InboxItem)) == 5
    finally:
        await db.dispose()
    assert our_connections(pg_url) == 0
