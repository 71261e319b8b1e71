"""Typing into the local workspace: a multi-line draft (a line ending in a backslash
goes on), and at a real terminal readline's line editing and history."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.process_support import child_env, postgate_command, run_postgate


def test_a_draft_over_several_lines_from_a_script(tmp_path: Path) -> None:
    script = "/propose Our new leaflet is out.\\\nPick one up at the market\\\n\\\non Saturday!\n"
    done = run_postgate(
        "run",
        "--local",
        env=child_env(f"sqlite:///{tmp_path / 'p.db'}"),
        cwd=tmp_path,
        input=script,
    )
    card = [line for line in done.stdout.splitlines() if line.startswith("  | ")]
    assert card == [
        "  | Our new leaflet is out.",
        "  | Pick one up at the market",
        "  | ",
        "  | on Saturday!",
    ]
    # The transcript shows the continuation lines as typed.
    assert "... Pick one up at the market\\" in done.stdout
    assert done.stderr == ""


class Pty:
    """`postgate run --local` on a pseudo-terminal, as a person at a terminal has it."""

    def __init__(self, tmp_path: Path) -> None:
        self.master, slave = pty.openpty()
        env = child_env(f"sqlite:///{tmp_path / 'p.db'}")
        env["TERM"] = "dumb"
        self.process = subprocess.Popen(
            postgate_command("run", "--local"),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=tmp_path,
            close_fds=True,
        )
        os.close(slave)
        self.seen = b""

    def expect(self, text: str, *, within: float = 30.0) -> None:
        deadline = time.monotonic() + within
        while text.encode() not in self.seen:
            left = deadline - time.monotonic()
            assert left > 0, f"{text!r} never came: {self.seen.decode(errors='replace')}"
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    self.seen += os.read(self.master, 65536)
                except OSError:
                    break
        assert text.encode() in self.seen, self.seen.decode(errors="replace")

    def type(self, keys: str) -> None:
        self.seen = b""
        os.write(self.master, keys.encode())

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        os.close(self.master)


@pytest.fixture
def terminal(tmp_path: Path) -> Pty:
    session = Pty(tmp_path)
    yield session  # type: ignore[misc]
    session.close()


UP = "\x1b[A"
LEFT = "\x1b[D"


def test_line_editing_and_history_at_a_terminal(terminal: Pty) -> None:
    terminal.expect("alex> ")
    terminal.type("/as chiar\r")
    terminal.expect("You are now chiar")
    terminal.expect("chiar> ")
    # Up brings the last line back; the arrows move in it; a typo is mended.
    terminal.type(UP + LEFT + "\x7f\x7f" + "ai\r")  # chia|r -> ch|r -> chair
    terminal.expect("You are now chair (an editor)")
    terminal.type("/quit\r")
    terminal.expect("Bye!")
    assert terminal.process.wait(timeout=30) == 0


def test_ctrl_c_in_the_middle_of_a_draft_says_it_was_not_sent(terminal: Pty) -> None:
    terminal.expect("alex> ")
    terminal.type("/propose First line of a long post \\\r")
    terminal.expect("... ")
    terminal.seen = b""
    terminal.process.send_signal(signal.SIGINT)  # what Ctrl-C at the terminal sends
    terminal.expect("Bye!")
    assert "What you were typing was not sent." in terminal.seen.decode(errors="replace")
    terminal.process.wait(timeout=30)


def test_ctrl_c_at_an_empty_prompt_just_says_goodbye(terminal: Pty) -> None:
    terminal.expect("alex> ")
    terminal.seen = b""
    terminal.process.send_signal(signal.SIGINT)
    terminal.expect("Bye!")
    assert "not sent" not in terminal.seen.decode(errors="replace")
    terminal.process.wait(timeout=30)
