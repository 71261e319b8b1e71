"""Running the real `postgate` console command in a child process, as a person would."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

TIMEOUT = 60
# The checkout these tests belong to: a child runs its code, whichever checkout the
# virtual environment was installed from (a second worktree shares one).
ROOT = Path(__file__).resolve().parents[1]


def child_env(database_url: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("POSTGATE_", "SLACK_", "DISCORD_"))
    }
    env["DATABASE_URL"] = database_url
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = str(ROOT)
    return env


def postgate_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot.cli.main", *args]


def run_postgate(
    *args: str, env: dict[str, str], cwd: Path, input: str = "", check: bool = True
) -> subprocess.CompletedProcess[str]:
    """`postgate ARGS` run to its end, with `input` typed in; text in and out."""
    return subprocess.run(
        postgate_command(*args),
        input=input,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=TIMEOUT,
        check=check,
    )


def line_queue(stream: IO[str]) -> queue.Queue[str | None]:
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def wait_for(lines: queue.Queue[str | None], prefix: str) -> list[str]:
    seen: list[str] = []
    while True:
        line = lines.get(timeout=TIMEOUT)
        if line is None:
            raise AssertionError(f"the process ended before {prefix!r}: {seen}")
        seen.append(line)
        if line.startswith(prefix):
            return seen


class LocalSession:
    """`postgate run --local` in a child process, typed into a line at a time."""

    def __init__(self, *, env: dict[str, str], cwd: Path, stderr: IO[str] | int) -> None:
        self.process = subprocess.Popen(
            postgate_command("run", "--local"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=env,
            cwd=cwd,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._stdin = self.process.stdin
        self._lines = line_queue(self.process.stdout)

    def type(self, line: str, *, until: str) -> list[str]:
        """Type `line`; what it printed, up to the first line starting with `until`."""
        self._stdin.write(line + "\n")
        self._stdin.flush()
        return wait_for(self._lines, until)

    def close(self) -> int:
        """End the session as a person would (end of input); its exit code."""
        self._stdin.close()
        return self.process.wait(timeout=TIMEOUT)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=TIMEOUT)
