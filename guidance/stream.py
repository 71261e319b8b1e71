"""A post as one line of plain words, for the frames (guidance.frames) to match with regexes.

Each token becomes the word it stands for once its disguises are seen through ("k1ll",
"k i l l" and "klil" all read `kill`), apostrophes dropped ("can't" -> `cant`), joined by
single spaces, with `|` between sentences so no frame reaches across one. Clause numbers
bound the reach of a "not".
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from guidance.normalise import Folded
from guidance.tokens import MASKED, WORD, Token

SENTENCE = "|"
_CLAUSE_BREAK = re.compile(r"[,;:()\"“”\[\]]|\s[-–—]\s")
# a new clause starts at these words: "I don't mind them, but ..." already breaks at the comma
_CLAUSE_WORDS = frozenset({"but", "though", "although", "yet", "whereas", "while"})


@dataclass(frozen=True, slots=True)
class Stream:
    text: str
    starts: list[int]  # where each word of `text` starts
    token: list[int]  # the token each word stands for (-1: a sentence mark)
    clause: list[int]  # the clause of each word

    def word_at(self, offset: int) -> int:
        """The index of the word of `text` that holds character `offset`."""
        return bisect_right(self.starts, offset) - 1

    def words(self) -> list[str]:
        return self.text.split(" ")


def word_stream(
    tokens: Sequence[Token], folded: Folded, *, known: Callable[[str], bool]
) -> Stream:
    """The plain words of `tokens`; `known` says which reading of a disguised word to keep."""
    words: list[str] = []
    token_of: list[int] = []
    clauses: list[int] = []
    clause = 0
    previous: Token | None = None
    for index, token in enumerate(tokens):
        if previous is not None:
            if token.sentence != previous.sentence:
                words.append(SENTENCE)
                token_of.append(-1)
                clause += 1
                clauses.append(clause)
            elif _CLAUSE_BREAK.search(folded.text, previous.end, token.start):
                clause += 1
        word = _reading(token, known)
        if word in _CLAUSE_WORDS:
            clause += 1
        words.append(word)
        token_of.append(index)
        clauses.append(clause)
        previous = token
    starts = []
    at = 0
    for word in words:
        starts.append(at)
        at += len(word) + 1
    return Stream(" ".join(words), starts, token_of, clauses)


def _reading(token: Token, known: Callable[[str], bool]) -> str:
    if token.kind not in (WORD, MASKED) or not token.forms:
        return "_"
    for form in token.forms:
        plain = form.replace("'", "")
        if SENTENCE not in plain and known(plain):
            return plain
    plain = token.forms[0].replace("'", "").replace(" ", "").replace(SENTENCE, "")
    return plain or "_"
