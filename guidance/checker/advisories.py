"""Advice that never changes the verdict: length, shouting, exclamation marks, long sentences."""

from __future__ import annotations

import re
from collections.abc import Iterator

_NOT_LETTER = re.compile(r"[\W\d_]+")
_SENTENCE = re.compile(r"[^.!?\n]+")


def too_long(text: str, *, limit: float) -> Iterator[tuple[int, int]]:
    """The part beyond the limit."""
    if len(text) > limit:
        yield int(limit), len(text)


def shouting(text: str, *, limit: float) -> Iterator[tuple[int, int]]:
    """Mostly capitals, over enough letters to be more than an abbreviation or two."""
    letters = _NOT_LETTER.sub("", text)
    if len(letters) < 12:
        return
    upper = sum(map(str.isupper, letters))
    if upper / len(letters) >= limit:
        stripped = text.strip()
        start = text.index(stripped[0]) if stripped else 0
        yield start, start + len(stripped)


def exclamations(text: str, *, limit: float) -> Iterator[tuple[int, int]]:
    if text.count("!") > limit:
        yield text.index("!"), text.rindex("!") + 1


def long_sentences(text: str, *, limit: float) -> Iterator[tuple[int, int]]:
    if text.count(" ") + text.count("\n") < limit:
        return  # too few words in the whole post for one long sentence
    for sentence in _SENTENCE.finditer(text):
        if len(sentence.group().split()) > limit:
            body = sentence.group()
            lead = len(body) - len(body.lstrip())
            yield sentence.start() + lead, sentence.start() + len(body.rstrip())
