"""A hot standby, with two real `postgate run` processes serving Slack (HTTP mode, the
fake Slack) on one database and one port: the second stands by without the port or a
Slack connection, and takes over when the first is SIGKILLed. On PostgreSQL, a serving
postgate whose lock connection is killed, and whose lock another took meanwhile, stops
serving with exit 3."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text

from storage.db import Database
from storage.instance_lock import AlreadyRunning, instance_lock
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_harness import (
    BOT_TOKEN,
    EDITORS,
    REVIEW,
    SIGNING_SECRET,
    SlackSender,
    free_port,
)
from tests.process_support import TIMEOUT, child_env, postgate_command


class Child:
    """`postgate run` in a child process, its log read a line at a time."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.log: list[str] = []

    @classmethod
    async def start(cls, env: dict[str, str], cwd: Path) -> Child:
        process = await asyncio.create_subprocess_exec(
            *postgate_command("run"),
            env=env,
            cwd=cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(process)

    async def wait_line(self, says: str) -> str:
        assert self.process.stderr is not None
        async with asyncio.timeout(TIMEOUT):
            while True:
                raw = await self.process.stderr.readline()
                if not raw:
                    raise AssertionError(f"ended before {says!r}:\n" + "\n".join(self.log))
                line = raw.decode().rstrip("\n")
                self.log.append(line)
                if says in line:
                    return line

    async def end(self) -> tuple[int, str]:
        """Its exit status and the rest of its log, once it has ended."""
        assert self.process.stderr is not None
        rest = await asyncio.wait_for(self.process.stderr.read(), TIMEOUT)
        self.log.extend(rest.decode().splitlines())
        code = await asyncio.wait_for(self.process.wait(), TIMEOUT)
        return code, "\n".join(self.log)

    async def stop_cleanly(self) -> None:
        """SIGTERM, as a service manager stops it: it ends with 0 and no traceback."""
        self.process.send_signal(signal.SIGTERM)
        code, log = await self.end()
        assert code == 0, log
        assert "Traceback" not in log

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()


def slack_env(database_url: str, fake: FakeSlack, port: int) -> dict[str, str]:
    env = child_env(database_url)
    env.update(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "SLACK_REVIEW_CHANNEL": REVIEW,
            "SLACK_EDITORS": ",".join(EDITORS),
            "POSTGATE_PORT": str(port),
            "POSTGATE_LOCK_WAIT_SECONDS": "0.5",
        }
    )
    return env


async def propose(port: int, text: str) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", session=session)
        status, _ = await sender.command(text=text, user_id="UALEX0001")
    assert status == 200


async def test_a_standby_takes_over_when_the_first_is_killed(
    database_url: str, tmp_path: Path
) -> None:
    async with FakeSlack() as fake:
        port = free_port()
        env = slack_env(database_url, fake, port)
        first = await Child.start(env, tmp_path)
        second: Child | None = None
        try:
            await first.wait_line("Slack HTTP mode listening")
            second = await Child.start(env, tmp_path)
            await second.wait_line(f"standing by for process {first.process.pid}")

            await propose(port, "Thank you to everyone who canvassed in St Ives")
            await fake.wait_calls("chat.postMessage", 1)
            # The standby holds neither the port (the first answered on it) nor a
            # connection to Slack.
            # (postgate's auth.test at start has no arguments; bolt's has the team.)
            assert len([c for c in fake.calls_to("auth.test") if not c.params]) == 1

            first.process.send_signal(signal.SIGKILL)
            killed = time.monotonic()
            await second.wait_line("Slack HTTP mode listening")
            took = time.monotonic() - killed
            print(f"standby took over {took:.1f} s after the SIGKILL")

            await propose(port, "Thank you to everyone who delivered leaflets in St Neots")
            await fake.wait_calls("chat.postMessage", 2)
            cards = [call.params.get("text", "") for call in fake.calls_to("chat.postMessage")]
            assert "Proposal 2" in cards[-1]

            await second.stop_cleanly()
        finally:
            first.kill()
            if second is not None:
                second.kill()


async def test_a_postgate_whose_lock_was_taken_stops_serving(
    database_url: str, tmp_path: Path
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("a file lock cannot be lost while its process lives")
    async with FakeSlack() as fake:
        port = free_port()
        first = await Child.start(slack_env(database_url, fake, port), tmp_path)
        other = Database(database_url)
        try:
            await first.wait_line("Slack HTTP mode listening")
            pid = first.process.pid
            while True:  # kill its lock's connection until this test holds the lock
                async with other.engine.connect() as conn:
                    await conn.execute(
                        text(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE application_name LIKE :name AND datname = current_database()"
                        ),
                        {"name": f"postgate process {pid} on %"},
                    )
                    await conn.commit()
                try:
                    async with instance_lock(other, every=0.1, wait=0):
                        code, log = await first.end()
                    break
                except AlreadyRunning:
                    continue  # it took the lock again first
        finally:
            first.kill()
            await other.dispose()
    assert code == 3, log
    assert "stopped serving: lost the lock on the database" in log
    assert "Traceback" not in log


async def test_a_second_local_workspace_stops_at_once_instead_of_standing_by(
    database_url: str, tmp_path: Path
) -> None:
    """A volunteer who opens `make run` twice is told so, not left at a silent terminal."""
    env = child_env(database_url)
    first = await asyncio.create_subprocess_exec(
        *postgate_command("run"),
        env=env,
        cwd=tmp_path,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert first.stdin is not None and first.stdout is not None
        first.stdin.write(b"/help\n")
        await first.stdin.drain()
        async with asyncio.timeout(TIMEOUT):  # serving: it answered
            while b"/propose" not in await first.stdout.readline():
                pass
        started = time.monotonic()
        second = await asyncio.create_subprocess_exec(
            *postgate_command("run"),
            env=env,
            cwd=tmp_path,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _out, err = await asyncio.wait_for(second.communicate(), TIMEOUT)
        assert second.returncode == 2
        assert time.monotonic() - started < 20
        said = err.decode()
        assert "postgate is already running on this database" in said
        assert "standing by" not in said
        assert "Traceback" not in said
        assert len(said.strip().splitlines()) == 1, said
    finally:
        if first.returncode is None:
            first.kill()
        await first.wait()
