"""`postgate export audit --csv`: one labelled row per audit event, for a spreadsheet."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import cast
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.cli.main import main
from handlers.stats.audit_export import HEADER, export_row
from storage.audit import ExportRow
from storage.db import Database
from storage.models import AuditEvent
from tests.stats_history import build_history


async def _event_count(url: str) -> int:
    db = Database(url)
    try:
        async with db.session() as session:
            return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
    finally:
        await db.dispose()


@pytest.fixture
def history(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    asyncio.run(build_history(database_url))
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


def test_every_event_is_a_labelled_row(history: str, tmp_path: Path) -> None:
    target = tmp_path / "audit.csv"
    assert main(["export", "audit", "--csv", "--output", str(target)]) == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    assert b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0].keys()) == HEADER
    assert len(rows) == asyncio.run(_event_count(history))

    first = rows[0]
    assert first["time"] == "2026-02-02T10:00:00+00:00"
    assert (first["event"], first["proposal"], first["proposal author"]) == (
        "proposed",
        "#1",
        "alex",
    )
    assert (first["by"], first["by (platform id)"], first["revision"]) == ("alex", "alex", "1")

    overrule = next(r for r in rows if r["event"] == "approved by overrule")
    assert (overrule["proposal"], overrule["proposal author"], overrule["by"]) == (
        "#6",
        "bob",
        "chair",
    )
    assert overrule["time"] == "2026-03-04T11:00:00+00:00"
    checked = next(r for r in rows if r["event"] == "checked" and r["proposal"] == "#6")
    assert checked["verdict"] == "block"
    assert "abuse" in checked["rules"].split(", ")
    votes = [r for r in rows if r["event"] == "vote added"]
    assert {r["vote"] for r in votes} == {"approve", "reject", "changes"}
    expired = next(r for r in rows if r["event"] == "expired")
    assert (expired["proposal"], expired["by"], expired["other details"]) == (
        "#4",
        "",
        '{"after_days": 14}',
    )
    times = [r["time"] for r in rows]
    assert times == sorted(times)


def test_since_a_date_and_stdout_without_bom(
    history: str, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main(["export", "audit", "--csv", "--since", "2026-03-06", "--no-bom"]) == 0
    raw = capfdbinary.readouterr().out
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert [(r["event"], r["proposal"]) for r in rows] == [
        ("proposed", "#8"),
        ("checked", "#8"),
        ("posted for review", "#8"),
        ("withdrawn", "#8"),
        ("expired", "#4"),
    ]


def test_a_bad_date_changes_nothing(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    target = tmp_path / "audit.csv"
    assert main(["export", "audit", "--csv", "--since", "last tuesday", "-o", str(target)]) == 2
    assert "--since 'last tuesday' is not a date or time" in capsys.readouterr().err
    assert not target.exists()


def test_summer_times_carry_their_offset_and_names_stay_readable() -> None:
    event = SimpleNamespace(
        at=datetime(2026, 7, 1, 8, 30, tzinfo=UTC),
        workspace="slack:T1",
        kind="vote_withdrawn",
        proposal_id=12,
        author_name="Siân Zoë",
        actor_id="U123",
        actor_name="Ffion",
        detail={"vote": "approve", "revision": 2},
    )
    row = export_row(cast(ExportRow, event), timezone=ZoneInfo("Europe/London"))
    assert row == (
        "2026-07-01T09:30:00+01:00",
        "slack:T1",
        "vote withdrawn",
        "#12",
        "Siân Zoë",
        "Ffion",
        "U123",
        "2",
        "",
        "approve",
        "",
        "",
        "",
    )
