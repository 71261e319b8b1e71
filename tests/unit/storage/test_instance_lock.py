"""One `postgate run` serves a database at a time: a second one stands by until the
first lets go, or with `--no-wait` is refused at start with a message that says why,
changes nothing, and can start once the first has stopped. On PostgreSQL a lock whose
connection died is taken again, or lost for good (LockLost) when another took it."""

from __future__ import annotations

import asyncio
import errno
import fcntl
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import Database
from storage.instance_lock import AlreadyRunning, LockLost, instance_lock
from tests.process_support import (
    LocalSession,
    child_env,
    run_postgate,
)


async def test_the_lock_is_held_by_one_at_a_time(database_url: str) -> None:
    first, second = Database(database_url), Database(database_url)
    try:
        async with instance_lock(first, every=0.1):
            with pytest.raises(AlreadyRunning) as refused:
                async with instance_lock(second, every=0.1, wait=0.3):
                    raise AssertionError("two held the lock at once")
            if first.is_sqlite:
                assert f"process {os.getpid()}" in str(refused.value)
        async with instance_lock(second, every=0.1, wait=0):
            pass  # let go when the first stopped
        async with instance_lock(first, every=0.1, wait=0):
            pass  # and by the second: no pooled connection kept it on PostgreSQL
    finally:
        await first.dispose()
        await second.dispose()


async def eventually(check: Callable[[], bool]) -> None:
    for _ in range(400):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("never happened")


async def test_a_standby_waits_then_holds_the_lock(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = Database(database_url), Database(database_url)
    holding: list[str] = []

    async def stand_by() -> None:
        async with instance_lock(second, every=0.05):
            holding.append("second")

    try:
        async with instance_lock(first, every=0.05):
            standby = asyncio.create_task(stand_by())
            await eventually(lambda: "standing by for process" in caplog.text)
            assert not holding  # it waits while the first holds the lock
        await asyncio.wait_for(standby, 10)
        assert holding == ["second"]
        assert "taking over" in caplog.text
    finally:
        await first.dispose()
        await second.dispose()


async def _kill_lock_connection(db: Database) -> None:
    async with db.engine.connect() as conn:
        await conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name LIKE 'postgate process %' "
                "AND datname = current_database()"  # other test runs share the server
            )
        )
        await conn.commit()


async def test_a_lock_whose_connection_died_is_taken_again(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("a file lock has no connection to lose")
    db, other = Database(database_url), Database(database_url)
    try:
        async with instance_lock(db, every=0.1) as lock:
            watching = asyncio.create_task(lock.watch())
            await _kill_lock_connection(other)
            await eventually(lambda: "took the lock on" in caplog.text or watching.done())
            assert not watching.done(), watching
            with pytest.raises(AlreadyRunning):  # held again, by the first
                async with instance_lock(other, every=0.1, wait=0.2):
                    raise AssertionError("two held the lock at once")
            watching.cancel()
    finally:
        await db.dispose()
        await other.dispose()


async def test_a_lock_another_took_meanwhile_is_lost(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("a file lock has no connection to lose")
    db, other = Database(database_url), Database(database_url)
    try:
        async with instance_lock(db, every=1.0) as lock:
            watching = asyncio.create_task(lock.watch())
            await _kill_lock_connection(other)
            async with instance_lock(other, every=0.1, wait=5):
                with pytest.raises(LockLost, match="took over"):
                    await asyncio.wait_for(watching, 10)
    finally:
        await db.dispose()
        await other.dispose()


async def test_a_filesystem_without_locks_serves_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def no_locks_here(_fd: int, _operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks_here)
    db = Database(f"sqlite:///{tmp_path}/postgate.db")
    try:
        async with instance_lock(db, every=0.1, wait=0):
            pass
    finally:
        await db.dispose()
    assert "make sure only one postgate runs on this database" in caplog.text


async def test_an_in_memory_database_is_its_process_own() -> None:
    first, second = Database("sqlite://"), Database("sqlite://")
    try:
        async with (
            instance_lock(first, every=0.1, wait=0),
            instance_lock(second, every=0.1, wait=0),
        ):
            pass
    finally:
        await first.dispose()
        await second.dispose()


def _proposals(database_url: str, cwd: Path) -> list[int]:
    listed = run_postgate("proposals", "--json", env=child_env(database_url), cwd=cwd)
    return [row["id"] for row in json.loads(listed.stdout)]


def test_a_second_postgate_run_is_refused_until_the_first_stops(
    database_url: str, tmp_path: Path
) -> None:
    env = child_env(database_url)
    second_draft = "/propose Thank you to everyone who delivered leaflets in St Neots\n"
    first = LocalSession(env=env, cwd=tmp_path, stderr=subprocess.DEVNULL)
    try:
        first.type(
            "/propose Thank you to everyone who canvassed in St Ives",
            until="[private to alex] Thanks! Proposal 1",
        )

        refused = run_postgate(
            "run", "--local", "--no-wait", input=second_draft, env=env, cwd=tmp_path, check=False
        )
        err = refused.stderr
        assert refused.returncode == 2, err
        assert "postgate is already running on this database" in err
        assert "stop the other one first" in err
        if database_url.startswith("sqlite"):
            assert f"process {first.process.pid}" in err
        assert "Traceback" not in err
        assert "Proposal" not in refused.stdout
        assert _proposals(database_url, tmp_path) == [1]

        first.type("/help", until="[workspace]")  # the first is unaffected
        assert first.close() == 0
    finally:
        first.kill()

    after = run_postgate("run", "--local", input=second_draft, env=env, cwd=tmp_path, check=False)
    assert after.returncode == 0, after.stderr[-2000:]
    assert _proposals(database_url, tmp_path) == [2, 1]
