"""UK phone numbers in a post (personal data when they belong to a private person)."""

from __future__ import annotations

import re

# 07xxx mobiles and 01/02 landlines, with or without +44, spaces, dashes or brackets.
# 03, 08 and 09 numbers belong to organisations and are left alone.
_PHONE = re.compile(r"(?<![\d+])(?:\+\s?44\s?\(?0?\)?\s?|\(?0)(?P<area>[127])[\d \-)]{8,13}(?!\d)")
_DIGITS = re.compile(r"\d")


def find_phones(text: str) -> list[tuple[int, int]]:
    """Spans of what look like UK mobile or landline numbers."""
    found = []
    for match in _PHONE.finditer(text):
        number = match.group().rstrip(" -)")
        digits = len(_DIGITS.findall(number))
        with_zero = digits + (0 if number.lstrip("(").startswith("0") else 1)
        if "+" in number:
            with_zero = digits - 2 + 1  # +44 replaces the leading 0
        if 10 <= with_zero <= 11:
            found.append((match.start(), match.start() + len(number)))
    return found
