"""Reading what a person types into the local workspace.

At a terminal, readline gives line editing (arrows, Ctrl-A/E, ...) and the history of
the session (up and down arrows); from a pipe or a file, lines are read as they come.
A line ending in a backslash goes on to the next one: that is how a multi-line draft
is typed.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TextIO

CONTINUATION_PROMPT = "... "
HISTORY_LINES = 1000


class Terminal:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._readline = _readline_for(stream)

    @property
    def edits_lines(self) -> bool:
        return self._readline is not None

    def read(self, prompt: str) -> str | None:
        """One line without its newline, or None at the end of input. Blocks: call it
        from a thread of its own."""
        if self._readline is not None:
            try:
                return input(prompt)
            except EOFError:
                return None
        try:
            line = self._stream.readline()
        except (OSError, ValueError):
            return None
        return line.rstrip("\r\n") if line else None

    def typed_so_far(self) -> str:
        """What is on the line being edited, to show it again after other output."""
        return self._readline.get_line_buffer() if self._readline is not None else ""


def _readline_for(stream: TextIO):  # type: ignore[no-untyped-def]
    """The readline module when `stream` is the terminal `input()` reads, else None."""
    if stream is not sys.stdin:
        return None
    with contextlib.suppress(AttributeError, ValueError):
        if not stream.isatty():
            return None
        try:
            import readline  # enables editing and history for input()
        except ImportError:  # Windows without pyreadline: plain input() still works
            return None
        readline.set_history_length(HISTORY_LINES)
        return readline
    return None
