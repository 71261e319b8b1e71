"""Fold a post into plain lower-case Latin letters, remembering where each character came from.

Order (NOTES.md "Checking text"): NFKC (full-width, maths alphabets), drop invisible
format characters, map look-alike letters from other scripts to Latin, drop accents,
lower-case. Every character of the folded text maps back to one character of the
original, so findings can point at the words the proposer wrote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Letters from other scripts that look like Latin ones (after NFKC, before lower-casing).
# Transliteration would be wrong here: Cyrillic "с" looks like "c", though it sounds like "s".
_CONFUSABLES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
    "ј": "j", "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ү": "y", "ɡ": "g",
    "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p",
    "С": "c", "Т": "t", "У": "y", "Х": "x", "Ѕ": "s", "І": "i", "Ј": "j", "Ү": "y",
    "Ԁ": "d", "Ԍ": "g", "Ԛ": "q", "Ԝ": "w", "Ӏ": "l", "п": "n", "г": "r", "ь": "b",
    # Greek
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "μ": "u",
    "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m",
    "Ν": "n", "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x",
    # Latin look-alikes and small capitals
    "ı": "i", "ɩ": "i", "ɑ": "a", "ɒ": "a", "ʏ": "y", "ᴀ": "a", "ʙ": "b", "ᴄ": "c",
    "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j", "ᴋ": "k", "ʟ": "l",
    "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u",
    "ᴠ": "v", "ᴡ": "w", "ᴢ": "z", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe",
    "ð": "d", "þ": "th", "ł": "l", "đ": "d",
    # Armenian and Cherokee letters drawn like Latin ones: "fսck", "ՏᏟᏌᎷ"
    "օ": "o", "ս": "u", "ո": "n", "հ": "h", "ց": "g", "զ": "q", "ժ": "d", "ա": "w",
    "Ս": "u", "Տ": "s", "Օ": "o", "Ꭺ": "a", "Ᏼ": "b", "Ꮯ": "c", "Ꭰ": "d", "Ꭼ": "e",
    "Ꮐ": "g", "Ꮋ": "h", "Ꭻ": "j", "Ꮶ": "k", "Ꮮ": "l", "Ꮇ": "m", "Ꮲ": "p", "Ꭱ": "r",
    "Ꮪ": "s", "Ꭲ": "t", "Ꮩ": "v", "Ꮃ": "w", "Ꮤ": "w", "Ꮓ": "z", "Ꮢ": "r",
    # symbols typed for letters inside words: "b¡tch", "¢unt", "§hit"
    "¡": "i", "¢": "c", "§": "s", "€": "e", "⭕": "o",
    # letters with a hook or a stroke, which NFD does not take apart: "ƒuck"
    "ƒ": "f", "ɓ": "b", "ƀ": "b", "ƈ": "c", "ȼ": "c", "ɗ": "d", "ɇ": "e", "ɠ": "g",
    "ħ": "h", "ɨ": "i", "ƙ": "k", "ƚ": "l", "ɲ": "n", "ƥ": "p", "ɍ": "r", "ʂ": "s",
    "ƭ": "t", "ŧ": "t", "ʉ": "u", "ʋ": "v", "ɏ": "y", "ƴ": "y", "ƶ": "z", "ȥ": "z",
    # punctuation that stands in for the plain kind
    "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u2032": "'", "`": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u00a0": " ", "\u2022": ".", "\u00b7": ".",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Folded:
    """`text` is the folded post; `origin[i]` is the original index of `text[i]` (None: same)."""

    text: str
    origin: tuple[int, ...] | None
    reordered: bool = False

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of folded `text[start:end]` (end exclusive)."""
        if self.origin is None:
            return start, end
        if start >= end:
            at = self.origin[start] if start < len(self.origin) else self._end()
            return at, at
        if self.reordered:  # some of it typed backwards under a right-to-left override
            part = self.origin[start:end]
            return min(part), max(part) + 1
        return self.origin[start], self.origin[end - 1] + 1

    def _end(self) -> int:
        return self.origin[-1] + 1 if self.origin else 0


def fold(text: str) -> Folded:
    """Fold `text`; plain ASCII takes a fast path (only lower-casing, offsets unchanged)."""
    if text.isascii():
        return Folded(text.lower().replace("`", "'"), None)
    pieces: list[str] = []
    origin: list[int] = []
    reordered = _RLO in text
    for index in _display_order(text) if reordered else range(len(text)):
        char = text[index]
        folded = _fold_char(char)
        if folded:
            pieces.append(folded)
            origin.extend([index] * len(folded))
    return Folded("".join(pieces), tuple(origin), reordered)


_RLO = "\u202e"  # right-to-left override: the letters after it show in reverse
_RLO_END = re.compile(r"[\u202c\n]")  # until "pop directional formatting" or the line's end


def _display_order(text: str) -> list[int]:
    """The indexes of `text` in the order they are seen: a word typed backwards after a
    right-to-left override ("\u202emucs") shows, and is read, the right way round."""
    order: list[int] = []
    at = 0
    while (begin := text.find(_RLO, at)) >= 0:
        order.extend(range(at, begin + 1))
        stop = _RLO_END.search(text, begin + 1)
        end = stop.start() if stop else len(text)
        order.extend(range(end - 1, begin, -1))
        at = end
    order.extend(range(at, len(text)))
    return order


def is_invisible(char: str) -> bool:
    """A character that renders as nothing, used to split a word unseen ("sc\u2066um").

    Read from Unicode's own data, not a hand list: every format character (category Cf:
    zero-width spaces and joiners, bidirectional controls, the soft hyphen, the tag
    block), and the fillers (the Hangul fillers are letters in Unicode's eyes, but draw
    nothing). Lone combining marks (the grapheme joiner) go with the accents.
    """
    category = unicodedata.category(char)
    if category == "Cf":
        return True
    return category == "Lo" and unicodedata.name(char, "").endswith(" FILLER")


# Unicode names a Latin letter with a hook, stroke, bar or tail that NFD leaves whole
# ("LATIN SMALL LETTER S WITH SWASH TAIL": "ȿ"), and small capitals: the plain letter.
_LATIN_NAME = re.compile(
    r"LATIN (?:SMALL |CAPITAL )?LETTER (?:SMALL CAPITAL )?([A-Z])(?: WITH .*)?"
)


def _latin_letter(char: str) -> str:
    found = _LATIN_NAME.fullmatch(unicodedata.name(char, ""))
    return found.group(1).lower() if found else char


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if is_invisible(char):
        return ""
    if "\U0001f1e6" <= char <= "\U0001f1ff":  # regional indicator letters: 🇸🇨🇺🇲
        return chr(ord(char) - 0x1F1E6 + ord("a"))
    # letters in black circles and squares, which NFKC leaves alone: 🅕🅤🅒🅚, 🅵🆄🅲🅺, 🅱
    if "\U0001f150" <= char <= "\U0001f169":
        return chr(ord(char) - 0x1F150 + ord("a"))
    if "\U0001f170" <= char <= "\U0001f189":
        return chr(ord(char) - 0x1F170 + ord("a"))
    compatible = unicodedata.normalize("NFKC", char)
    if len(compatible) == 3 and compatible[0] == "(" and compatible[2] == ")":
        compatible = compatible[1]  # parenthesised letters: ⒡⒰⒞⒦, 🄕🄤🄒🄚
    out = []
    for part in compatible:
        part = _CONFUSABLES.get(part, part)
        for piece in unicodedata.normalize("NFD", part):
            if unicodedata.category(piece) in ("Mn", "Me"):
                continue  # accents, and enclosing keycaps and circles: "scüm", "s⃣c⃣u⃣m⃣"
            piece = _CONFUSABLES.get(piece, piece).lower()
            piece = _CONFUSABLES.get(piece, piece)
            out.append(piece if piece.isascii() else _latin_letter(piece))
    return "".join(out)
