"""CSV cells a spreadsheet reads as text, never as a formula.

A member's name such as `=HYPERLINK("http://...", "click")` or `@SUM(...)`
becomes a live formula when an officer opens the audit export in Excel,
LibreOffice or Google Sheets (CSV injection). OWASP's remedy, followed here:
a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
single quote in front, and every cell is quoted, so a `;` or `,` inside one
cannot start a new cell in a spreadsheet that splits on it.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.cli.printable import printable

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: str) -> str:
    """`value` with its control characters dropped, and a leading quote if it could
    start a formula."""
    value = printable(value)
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def spreadsheet_row(values: Iterable[str]) -> list[str]:
    return [spreadsheet_cell(value) for value in values]
