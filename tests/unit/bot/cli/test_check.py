"""`postgate check`: the readable report and the --jsonl batch contract (DESIGN.md)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.check import render
from bot.cli.main import main
from guidance.checker.checker import Checker

ROOT = Path(__file__).resolve().parents[4]


def test_readable_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "Tory scum! The CLP meets on Tuesday."]) == 0
    out = capsys.readouterr().out
    assert out.startswith("BLOCK")
    assert "opponent (block): “Tory scum”" in out
    assert "Suggestion: Criticise their record" in out
    assert "Guidance: Rules for approved users [rules]" in out
    assert "jargon (warn): “CLP”" in out
    assert "our local Labour party" in out
    assert "\x1b[" not in out  # not a terminal: plain text


def test_clean_post(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "Thank you to everyone who came to our litter pick."]) == 0
    out = capsys.readouterr().out
    assert out.startswith("PASS")
    assert "No findings." in out


def test_reads_the_post_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("We promise free parking.\n"))
    assert main(["check", "-"]) == 0
    assert "promise (warn): “We promise”" in capsys.readouterr().out


def test_colour_marks_the_spans() -> None:
    text = "Tory scum, says the CLP."
    marked = render(text, Checker().check(text), colour=True, titles={})
    assert "\x1b[1;41;97mTory scum\x1b[0m" in marked
    assert "\x1b[30;43mCLP\x1b[0m" in marked


def test_no_text_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 2
    assert "give the post to check" in capsys.readouterr().err


@pytest.mark.parametrize("stdin", ["", "   \n", "\u200b\u200b\n"])
def test_an_empty_post_is_refused_as_propose_refuses_it(
    stdin: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    assert main(["check", "-"]) == 2
    captured = capsys.readouterr()
    assert "the post is empty" in captured.err and "PASS" not in captured.out


def test_a_broken_policy_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("rules:\n  swearing: {severity: block}\n", encoding="utf-8")
    assert main(["check", "--policy", str(policy), "hello"]) == 2
    err = capsys.readouterr().err
    assert str(policy) in err and "unknown rule id 'swearing'" in err
    assert "Traceback" not in err


def test_policy_from_the_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = (ROOT / "guidance" / "policy.yaml").read_text(encoding="utf-8")
    policy = tmp_path / "policy.yaml"
    policy.write_text(shipped.replace("imprint_in_bio: false", "imprint_in_bio: true"))
    monkeypatch.setenv("POSTGATE_POLICY", str(policy))
    assert main(["check", "Vote Labour on Thursday!"]) == 0
    assert capsys.readouterr().out.startswith("PASS")


def test_jsonl_batch(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [
        json.dumps({"id": "a", "text": "Tory scum!"}),
        json.dumps({"id": 2, "text": "Thank you St Ives!"}),
        "this is not json",
        json.dumps({"id": "no-text"}),
        json.dumps({"text": "no id"}),
        json.dumps(["a", "list"]),
        "",
        json.dumps({"id": "c", "text": "Vote Labour on Thursday!", "extra": 1}),
    ]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["check", "--jsonl"]) == 0
    captured = capsys.readouterr()
    results = [json.loads(line) for line in captured.out.splitlines()]
    assert [r["id"] for r in results] == ["a", 2, "c"]
    assert [r["verdict"] for r in results] == ["block", "pass", "warn"]
    (finding,) = results[0]["findings"]
    assert finding == {
        "rule": "opponent",
        "severity": "block",
        "start": 0,
        "end": 9,
        "message": finding["message"],
        "guidance": "rules",
    }
    assert set(results[0]) == {"id", "verdict", "findings"}
    errors = captured.err.splitlines()
    assert len(errors) == 4
    assert "line 3: not valid JSON" in errors[0]
    assert all("skipped" in e for e in errors)


def test_jsonl_through_the_console_script() -> None:
    script = ROOT / ".venv" / "bin" / "postgate"
    if not script.exists():
        pytest.skip(f"{script} is not installed")
    lines = "".join(
        json.dumps({"id": f"p{n}", "text": text}) + "\n"
        for n, text in enumerate(["Shut up, you idiot.", "Our surgery is on Saturday.", "sc*m"])
    )
    done = subprocess.run(
        [str(script), "check", "--jsonl"],
        input=(lines + "{broken\n").encode() + b"\xff\xfe not utf-8\n",
        capture_output=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [(r["id"], r["verdict"]) for r in results] == [
        ("p0", "block"),
        ("p1", "pass"),
        ("p2", "block"),
    ]
    assert b"line 4" in done.stderr and b"line 5" in done.stderr


def test_colour_on_a_terminal_unless_no_color(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert main(["check", "Tory scum"]) == 0
    assert "\x1b[1;41;97mTory scum\x1b[0m" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["check", "Tory scum"]) == 0
    assert "\x1b[" not in capsys.readouterr().out
