"""`postgate stats` on the command line, over the known history."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.stats_history import build_history


@pytest.fixture
def history(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    asyncio.run(build_history(database_url))
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


def test_json_report(history: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--json", "--at", "2026-03-20T12:00:00+00:00"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["workspace"] == "local"
    assert report["period"]["kind"] == "month"
    assert report["period"]["calendar"] is True
    assert report["period"]["start"] == "2026-03-01T00:00:00+00:00"
    assert report["period"]["previous_end"] == "2026-02-20T12:00:00+00:00"
    now, before = report["current"], report["previous"]
    assert (now["proposed"], now["approved"], now["overruled"], now["rejected"]) == (5, 3, 1, 1)
    assert (now["changes_requested"], now["expired"], now["withdrawn"]) == (1, 1, 1)
    assert (now["approval_rate"], before["approval_rate"]) == (0.75, 0.5)
    assert (now["median_seconds_to_decision"], before["median_seconds_to_decision"]) == (
        9000,
        10800,
    )
    assert report["busiest_proposers"][0] == {
        "name": "alex",
        "id": "alex",
        "count": 2,
        "previous": 1,
    }
    assert [w["proposed"] for w in report["weeks"]] == [0, 2, 0, 0, 2, 4, 0, 0]


def test_text_report_with_chart_for_last_month(
    history: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = tmp_path / "kpis.png"
    code = main(
        ["stats", "--period", "month", "--last", "--at", "2026-03-20T12:00", "--chart", str(chart)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Workspace: local" in out
    assert "last month (1 Feb 2026 to 28 Feb 2026, Europe/London), a calendar month" in out
    assert "Proposals made: 3 (up 3 from 0)" in out
    assert f"Chart written to {chart}" in out
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_workspace_choice_is_explained(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["stats", "--workspace", "slack:T1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["workspace"] == "slack:T1"
    assert main(["stats", "--json"]) == 0  # nothing stored yet: the local workspace
    captured = capsys.readouterr()
    assert json.loads(captured.out)["workspace"] == "local"
    assert captured.err == ""


def test_a_bad_time_is_a_clear_error(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["stats", "--at", "yesterday"]) == 2
    assert "--at 'yesterday' is not a date or time" in capsys.readouterr().err


def test_several_workspaces_prefer_local_and_say_so() -> None:
    from bot.cli.stats import choose_workspace

    assert choose_workspace(["slack:T1"], None) == ("slack:T1", None)
    chosen, note = choose_workspace(["slack:T1", "local"], None)
    assert chosen == "local"
    assert note is not None and "showing local" in note and "--workspace" in note
    chosen, note = choose_workspace(["discord:9", "slack:T1"], None)
    assert chosen == "discord:9"
    assert note is not None and "most recently active" in note
