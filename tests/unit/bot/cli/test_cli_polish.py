"""Small promises of the command line: unquoted words, --version, and `check` refusing
the policy `run` would refuse."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command as alembic

from bot.cli.main import main
from storage.migrate import alembic_config, schema_state


def test_check_takes_the_post_unquoted(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "Vote", "Labour", "on", "Thursday"]) == 0
    out = capsys.readouterr().out
    assert "Vote Labour on Thursday" in out
    assert out.startswith(("PASS", "WARN"))


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.startswith("postgate ")


def test_check_refuses_a_policy_that_run_refuses(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shipped = (Path(__file__).parents[4] / "guidance" / "policy.yaml").read_text(encoding="utf-8")
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        shipped.replace("guidance: rules", "guidance: no-such-section", 1), encoding="utf-8"
    )
    assert main(["check", "--policy", str(policy), "Hello"]) == 2
    assert "no-such-section" in capsys.readouterr().err
    monkeypatch.setenv("POSTGATE_POLICY", str(policy))
    assert main(["run", "--local"]) == 2
    assert "no-such-section" in capsys.readouterr().err


def test_export_audit_is_csv_without_asking(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["export", "audit", "--no-bom"]) == 0
    assert capsysbinary.readouterr().out.lstrip(b'"').startswith(b"time")
    assert main(["export", "audit", "--csv", "--no-bom"]) == 0
    assert capsysbinary.readouterr().out.lstrip(b'"').startswith(b"time")


@pytest.mark.parametrize("command", [["proposals"], ["stats"], ["export", "audit"]])
def test_read_only_commands_never_create_the_schema(
    command: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    assert main(command) == 2
    assert "no postgate tables yet: run postgate db upgrade" in capsys.readouterr().err
    assert not (tmp_path / "fresh.db").exists()


@pytest.mark.parametrize("command", [["proposals"], ["stats"], ["export", "audit"]])
def test_read_only_commands_say_when_the_schema_is_behind(
    command: list[str],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    alembic.downgrade(alembic_config(database_url), "0005")
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(command) == 2
    assert "schema is behind (at 0005" in capsys.readouterr().err
    assert schema_state(database_url).current == "0005"  # nothing migrated
