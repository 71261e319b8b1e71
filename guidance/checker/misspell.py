"""Misspelt and run-together words: "Fukc", "klil", "despicble", "Fuckall", "massivescumbags".

A word the policy does not know is read as a listed word when it is one with two
neighbouring letters swapped, one letter dropped or doubled ("sccum", "twatts"), or one
letter changed for its look-alike ("skum", "scvm"): never the first letter, and only in
words long enough that the change is unlikely by chance. Or as two words when it splits
into a listed word and another known word. English words that happen to be one such
change away ("wore", "sith") are listed in the policy (`real_words`) and read as
themselves; so are the allow list's names, which are set aside before this runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

_MIN_SWAP = 4  # "fcuk" from "fuck"; three-letter words have too many neighbours
_MIN_DROP = 5  # "despicble" from "despicable"; "sit" is not "shit"
_MIN_PART = 4  # the listed word in a run-together pair: "fuck" + "all"
# Letters swapped for one that sounds or looks the same ("skum", "scvm", "cvnt")
_LOOK_ALIKE = {"c": "k", "u": "v"}


class Misspellings:
    def __init__(
        self,
        *,
        words: Iterable[str],
        joiners: Iterable[str],
        real_words: Iterable[str],
        known: Callable[[str], bool],
    ) -> None:
        """`words`: what a misspelling may stand for; `joiners`: short words that may be
        run into one ("all", "to", "so"); `known`: whether a word is already read as is."""
        self._known = known
        self._real = frozenset(real_words)
        self._words = frozenset(w for w in words if w.isalpha())
        self._joiners = frozenset(joiners)
        variants: dict[str, str] = {}
        for word in sorted(self._words):
            for variant in _variants(word):
                if variant not in self._words and variant not in self._real:
                    variants.setdefault(variant, word)
        self._variants = variants
        self.read = lru_cache(maxsize=16384)(self._read)

    def _read(self, word: str) -> tuple[str, ...]:
        """The listed word(s) an unknown `word` stands for, or () when it is none."""
        if not word.isalpha() or word in self._real or self._known(word):
            return ()
        fixed = self._variants.get(word)
        if fixed:
            return (fixed,)
        if word.endswith("s") and (fixed := self._variants.get(word[:-1])):
            return (fixed + "s",)  # "klils" reads "kills"
        return self._split(word)

    def _split(self, word: str) -> tuple[str, ...]:
        if len(word) < _MIN_PART + 1:
            return ()
        for cut in range(1, len(word)):
            left, right = word[:cut], word[cut:]
            if (self._listed(left) and self._joins(right)) or (
                self._listed(right) and self._joins(left)
            ):
                return (left, right)
        return ()

    def _listed(self, part: str) -> bool:
        if len(part) < _MIN_PART or part in self._joiners:
            return False
        return part in self._words or (part.endswith("s") and part[:-1] in self._words)

    def _joins(self, part: str) -> bool:
        return part in self._joiners or self._listed(part)


def _variants(word: str) -> Iterable[str]:
    if len(word) >= _MIN_SWAP:
        for i in range(1, len(word) - 1):
            if word[i] != word[i + 1]:
                yield word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        for i in range(1, len(word)):
            yield word[: i + 1] + word[i:]  # the letter doubled
            if word[i] in _LOOK_ALIKE:
                yield word[:i] + _LOOK_ALIKE[word[i]] + word[i + 1 :]
    if len(word) >= _MIN_DROP:
        for i in range(1, len(word)):
            yield word[:i] + word[i + 1 :]
