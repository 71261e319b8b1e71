"""The real process: `postgate run --local` killed with SIGKILL right after it
acknowledged a proposal keeps it, with its findings and audit trail; and
`postgate proposals` lists what is stored."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli.main import main
from guidance.checker.checker import Checker
from guidance.policy import load_policy
from storage.db import Database
from storage.models import AuditEvent, FindingRow, Revision
from tests.process_support import (
    TIMEOUT,
    LocalSession,
    child_env,
    postgate_command,
    run_postgate,
)

DRAFT = "Vote Labour on Thursday! We will cut your council tax."


async def _stored(database_url: str) -> tuple[list[str], int, list[str]]:
    db = Database(database_url)
    try:
        async with db.session() as session:
            kinds = list(
                await session.scalars(
                    select(AuditEvent.kind)
                    .where(AuditEvent.proposal_id == 1)
                    .order_by(AuditEvent.id)
                )
            )
            texts = list(await session.scalars(select(Revision.text)))
            findings = len(list(await session.scalars(select(FindingRow))))
        return kinds, findings, texts
    finally:
        await db.dispose()


def test_a_proposal_survives_sigkill_right_after_its_acknowledgement(
    database_url: str, tmp_path: Path
) -> None:
    env = child_env(database_url)
    stderr = (tmp_path / "stderr.log").open("w")  # kept for diagnosis when this fails
    session = LocalSession(env=env, cwd=tmp_path, stderr=stderr)
    try:
        session.type(f"/propose {DRAFT}", until="[private to alex] Thanks! Proposal 1")
        session.process.send_signal(signal.SIGKILL)
        assert session.process.wait(timeout=TIMEOUT) == -signal.SIGKILL
    finally:
        session.kill()
        stderr.close()

    kinds, findings, texts = asyncio.run(_stored(database_url))
    assert kinds == ["proposed", "checked", "posted_for_review"]
    assert texts == [DRAFT]
    assert findings == len(Checker(load_policy()).check(DRAFT).findings)

    listed = run_postgate("proposals", "--json", env=env, cwd=tmp_path)
    (row,) = json.loads(listed.stdout)
    assert (row["id"], row["status"], row["author"]) == (1, "pending", "alex")

    # Restarted, the workspace knows it: its author sees it in full.
    again = run_postgate("run", "--local", input="/propose status 1\n", env=env, cwd=tmp_path)
    assert "| " + DRAFT in [line.strip() for line in again.stdout.splitlines()]
    assert "State: waiting for the editors" in again.stdout


def test_the_scripted_three_line_session(tmp_path: Path) -> None:
    """What README tells a newcomer to try, on a fresh SQLite file in the working directory."""
    env = child_env("")
    del env["DATABASE_URL"]
    script = (
        b"\xff\xfe not UTF-8, and no slash\n"  # bad bytes must not end the session
        b"/propose Thank you to everyone who canvassed in St Ives\n"
        b"/as editor\n"
        b"/react 1 white_check_mark\n"
    )
    finished = subprocess.run(
        postgate_command("run"),
        input=script,
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=TIMEOUT,
        check=True,
    )
    done = finished.stdout.decode()
    assert "[workspace] Lines here are commands." in done
    assert "[#review] Proposal 1 from alex: waiting for an editor" in done
    assert "[#approved] Ready to publish: proposal 1 from alex" in done
    assert b"Traceback" not in finished.stderr
    assert (tmp_path / "postgate.db").exists()


@pytest.mark.usefixtures("database_url")
def test_postgate_proposals_lists_and_filters(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["proposals"]) == 0
    assert capsys.readouterr().out.strip() == "No proposals."
    assert main(["proposals", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []

    from bot.platforms.local.platform import LocalWorkspace
    from tests.workflow_support import make_services

    async def session() -> None:
        services = make_services(database_url)
        ws = LocalWorkspace(services=services)
        for line in (
            "/propose First post",
            "/propose Second post",
            "/as editor",
            "/react 1 white_check_mark",
        ):
            await ws.send(line)
        await services.db.dispose()

    asyncio.run(session())
    assert main(["proposals", "--json", "--status", "approved"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["id"], row["status"], row["author"], row["verdict"], row["decided_by"]) == (
        1,
        "approved",
        "alex",
        "pass",
        "editor",
    )
    assert row["created"].startswith("2026-03-02T10:00")
    assert main(["proposals"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["id", "status", "author", "verdict", "created", "decided"]
    assert [line.split()[:2] for line in table[1:]] == [["2", "pending"], ["1", "approved"]]
