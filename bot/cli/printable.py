"""Text from chat members made safe to print in a terminal.

Names, drafts and ideas come from members. A name holding an escape sequence
(`ESC [ 2 J` clears the screen, an OSC string retitles the window or forges a
hyperlink) would act on the terminal of the admin who lists it, so every
human-readable output drops C0 and C1 control characters, and escape sequences
whole, so that no half of one is left to read. `--json` output is left alone:
JSON escapes control characters itself.
"""

from __future__ import annotations

import re

_SEQUENCES = re.compile(
    r"""
      \x1b\[ [0-?]* [ -/]* [@-~]                # CSI: colours, cursor moves, screen clears
    | \x9b [0-?]* [ -/]* [@-~]                  # the same, introduced by the 8-bit CSI
    | (?: \x1b[\]PX^_] | [\x90\x98\x9d\x9e\x9f] )  # OSC, DCS, SOS, PM, APC strings ...
      [^\x07\x1b\x9c\n]* (?: \x07 | \x1b\\ | \x9c )?  # ... up to their terminator
    | \x1b [ -/]* [0-~]                         # the other escapes (charsets, resets)
    """,
    re.VERBOSE,
)
# Tab and newline stay in multi-line text; every other C0 character, DEL and C1 goes.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n]")


def hidden_spans(text: str) -> list[tuple[int, int]]:
    """The [start, end) spans of `text` that `printable` leaves out, in order."""
    spans = [m.span() for m in _SEQUENCES.finditer(text)]
    covered = {i for start, end in spans for i in range(start, end)}
    spans += [m.span() for m in _CONTROLS.finditer(text) if m.start() not in covered]
    return sorted(spans)


def printable(text: str, *, one_line: bool = False) -> str:
    """`text` without control characters or escape sequences; `one_line` also turns
    tabs and newlines into spaces, for a cell in a table."""
    text = _CONTROLS.sub("", _SEQUENCES.sub("", text))
    return _LINE_BREAKS.sub(" ", text) if one_line else text
