"""UK phone numbers in a post (personal data when they belong to a private person)."""

from __future__ import annotations

import re

# 07xxx mobiles and 01/02 landlines, with or without +44, spaces, dashes or brackets.
# 03, 08 and 09 numbers belong to organisations and are left alone.
_PHONE = re.compile(r"(?<![\d+])(?:\+\s?44\s?\(?0?\)?\s?|\(?0)(?P<area>[127])[\d \-)]{8,13}(?!\d)")
_DIGITS = re.compile(r"\d")
_COUNTRY = re.compile(r"^\+\s?44\s?(?:\(0\)|0)?\s?")


def find_phones(text: str) -> list[tuple[int, int]]:
    """Spans of what look like UK mobile or landline numbers."""
    found = []
    for match in _PHONE.finditer(text):
        number = match.group().rstrip(" -)")
        national = _COUNTRY.sub("0", number)  # +44 (0)7700 ... -> 07700 ...
        if 10 <= len(_DIGITS.findall(national)) <= 11:
            found.append((match.start(), match.start() + len(number)))
    return found
