"""Every word and phrase of the policy in one index, matched whole-word against tokens.

Entries are tokenised exactly like posts, so "don't belong" in the policy matches
"dont belong" or "don’t belong" in a post. Single words also match their plural ("idiots").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from guidance.normalise import fold
from guidance.tokens import MASKED, Token, tokenise, word_forms

# What a policy entry is for, e.g. ("word", "abuse") or ("near", "drugs", 0, 1).
Tag = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Hit:
    tag: Tag
    first: int  # index of the first token
    last: int  # index of the last token (inclusive)


class Lexicon:
    def __init__(self) -> None:
        self._index: dict[str, list[tuple[tuple[str, ...], Tag]]] = defaultdict(list)
        self._single: set[str] = set()
        self._by_length: dict[int, list[str]] = defaultdict(list)
        self._unmasked: dict[str, tuple[str, ...]] = {}

    def add(self, phrase: str, tag: Tag) -> None:
        words = phrase_words(phrase)
        if not words:
            return
        for key in dict.fromkeys((words[0], words[0].replace("'", ""))):
            self._index[key].append((words, tag))
        if len(words) == 1 and words[0] not in self._single:
            self._single.add(words[0])
            self._by_length[len(words[0])].append(words[0])

    def is_word(self, word: str) -> bool:
        return word in self._single or any(s in self._single for s in _singulars(word))

    def match(self, tokens: Sequence[Token]) -> list[Hit]:
        hits: dict[tuple[Tag, int, int], Hit] = {}
        index = self._index
        for i, token in enumerate(tokens):
            forms = self._unmask(token) if token.kind == MASKED else token.forms
            for form in forms:
                candidates = index.get(form)
                if candidates is None:
                    candidates = [
                        c
                        for singular in _singulars(form)
                        if singular in self._single
                        for c in index[singular]
                        if len(c[0]) == 1
                    ]
                for words, tag in candidates:
                    last = i + len(words) - 1
                    if last >= len(tokens) or (tag, i, last) in hits:
                        continue
                    if all(
                        _same(w, tokens[i + k], plural=i + k == last)
                        for k, w in enumerate(words[1:], start=1)
                    ):
                        hits[(tag, i, last)] = Hit(tag, i, last)
        return list(hits.values())

    def _unmask(self, token: Token) -> tuple[str, ...]:
        """ "sc*m" -> ("scum",): each * stands for one letter of a listed word."""
        pattern = token.forms[0]
        known = self._unmasked.get(pattern)
        if known is None:
            known = tuple(
                word
                for word in self._by_length.get(len(pattern), ())
                if all(p in ("*", c) for p, c in zip(pattern, word, strict=True))
            )
            if len(self._unmasked) < 10_000:
                self._unmasked[pattern] = known
        return known + token.forms


def phrase_words(phrase: str) -> tuple[str, ...]:
    """The canonical words of a policy phrase (first form of each token)."""
    folded = fold(phrase.strip())
    tokens = tokenise(folded, original=phrase, is_word=lambda _word: False)
    return tuple(t.forms[0] for t in tokens if t.forms)


def _same(word: str, token: Token, *, plural: bool) -> bool:
    forms = token.forms
    if word in forms or word.replace("'", "") in forms:
        return True
    return plural and any(word in _singulars(form) for form in forms)


def _singulars(form: str) -> tuple[str, ...]:
    """ "idiots" -> idiot; "bitches" -> bitche, bitch. Never for "class" or short words."""
    if len(form) < 4 or not form.endswith("s") or form.endswith("ss"):
        return ()
    if form.endswith("es"):
        return (form[:-1], form[:-2])
    return (form[:-1],)


# Re-exported for the checker: the forms of a single policy word.
__all__ = ["Hit", "Lexicon", "Tag", "phrase_words", "word_forms"]
