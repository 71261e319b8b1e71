"""Whether a draft shows anything at all: a post of zero-width spaces, joiners,
fillers or lone accents would become an empty-looking card."""

from __future__ import annotations

import unicodedata

from guidance.checker.normalise import is_invisible

# Categories that draw nothing on their own: marks need a letter to sit on, controls
# and separators are space.
_BLANK_CATEGORIES = frozenset({"Mn", "Me", "Cc", "Zs", "Zl", "Zp"})
_BLANK_SYMBOLS = frozenset({"\u2800"})  # the braille blank, a symbol that draws nothing


def has_visible_text(text: str) -> bool:
    return any(
        not is_invisible(char)
        and unicodedata.category(char) not in _BLANK_CATEGORIES
        and char not in _BLANK_SYMBOLS
        for char in text
    )
