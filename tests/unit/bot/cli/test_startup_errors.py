"""A broken setting, guidance or policy stops `postgate run` with one clear line, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main


def _run(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["run", "--local"])
    return code, capsys.readouterr().err


def test_an_unknown_timezone(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POSTGATE_TIMEZONE", "Mars/Olympus_Mons")
    code, err = _run(capsys)
    assert code == 2
    assert "POSTGATE_TIMEZONE" in err and "Europe/London" in err
    assert "Traceback" not in err


def test_a_policy_citing_a_section_the_guidance_lacks(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shipped = (Path(__file__).parents[4] / "guidance" / "policy.yaml").read_text(encoding="utf-8")
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        shipped.replace("guidance: rules", "guidance: no-such-section", 1), encoding="utf-8"
    )
    monkeypatch.setenv("POSTGATE_POLICY", str(policy))
    code, err = _run(capsys)
    assert code == 2
    assert "no-such-section" in err and "the sections are:" in err
    assert "Traceback" not in err


def test_a_guidance_file_that_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("POSTGATE_GUIDANCE", str(tmp_path / "nowhere.md"))
    code, err = _run(capsys)
    assert code == 2
    assert "nowhere.md" in err
    assert "Traceback" not in err


def test_a_number_that_is_not_a_number(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POSTGATE_APPROVALS_REQUIRED", "two")
    code, err = _run(capsys)
    assert code == 2
    assert "POSTGATE_APPROVALS_REQUIRED" in err
