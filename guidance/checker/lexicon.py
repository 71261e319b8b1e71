"""Every word and phrase of the policy in one index, matched whole-word against tokens.

Entries are tokenised exactly like posts, so "don't belong" in the policy matches
"dont belong" or "don’t belong" in a post. Single words also match their plural ("idiots").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from guidance.checker.normalise import fold
from guidance.checker.tokens import MASKED, NoVocabulary, Token, tokenise, word_forms

# What a policy entry is for, e.g. ("word", "abuse") or ("near", "drugs", 0, 1).
Tag = tuple[str | int, ...]
_K = TypeVar("_K")
_V = TypeVar("_V")


@dataclass(frozen=True, slots=True)
class Hit:
    tag: Tag
    first: int  # index of the first token
    last: int  # index of the last token (inclusive)


class Lexicon:
    def __init__(self) -> None:
        # Single words by their form; phrases by their first two words, so a common first
        # word ("the", "we") costs one lookup, not one check per phrase that starts with it.
        self._words: dict[str, list[Tag]] = defaultdict(list)
        self._pairs: dict[tuple[str, str], list[tuple[tuple[str, ...], Tag]]] = defaultdict(list)
        self._by_length: dict[int, list[str]] = defaultdict(list)
        self._unmasked: dict[str, tuple[str, ...]] = {}
        # the words a symbol inside a word may hide ("sc@m": scum), by length
        self._hidden: dict[int, list[str]] = defaultdict(list)
        self._revealed: dict[str, tuple[str, ...]] = {}
        self._prefixes: set[str] = set()
        self._parts: set[str] = set()  # the words of listed phrases
        self._stems: dict[str, str] = {}  # a derived form and its listed word: scummy: scum
        self._single_cache: dict[tuple[str, ...], tuple[Tag, ...]] = {}
        self._pair_cache: dict[
            tuple[tuple[str, ...], tuple[str, ...]], tuple[tuple[tuple[str, ...], Tag], ...]
        ] = {}

    def add(self, phrase: str, tag: Tag) -> None:
        words = phrase_words(phrase)
        if not words:
            return
        firsts = dict.fromkeys((words[0], words[0].replace("'", "")))
        if len(words) == 1:
            if words[0] not in self._words:
                self._by_length[len(words[0])].append(words[0])
                self._add_prefixes(words[0])
            for key in firsts:
                self._words[key].append(tag)
            return
        # The words of a phrase are joined back from split letters too: "f r e e b e t s"
        for word in words:
            if word.isalpha() and word not in self._parts:
                self._parts.add(word)
                self._add_prefixes(word)
        for first in firsts:
            for second in dict.fromkeys((words[1], words[1].replace("'", ""))):
                self._pairs[(first, second)].append((words, tag))

    def _add_prefixes(self, word: str) -> None:
        for form in (word, word + "s"):
            self._prefixes.update(form[:k] for k in range(1, len(form) + 1))

    def hide(self, words: Iterable[str]) -> None:
        """Words that a symbol inside a word may stand in for: "sc@m" is read as "scum"
        as well as "scam", "c0ck" as "cock" and "cuck" (only these words are tried)."""
        for word in dict.fromkeys(words):
            self._hidden[len(word)].append(word)

    def derive(self, form: str, word: str) -> None:
        """Read `form` ("scummy") as the listed single word `word` ("scum"), with all its
        tags: cheaper than listing every form under every entry that uses the word."""
        if form not in self._words:
            self._stems.setdefault(form, word)

    def is_prefix(self, start: str) -> bool:
        return start in self._prefixes

    def is_word(self, word: str) -> bool:
        """A listed word, or a word of a listed phrase, for joining split letters."""
        known = self._words, self._parts, self._stems
        return any(w in k for k in known for w in (word, *_singulars(word)))

    def match(self, tokens: Sequence[Token]) -> list[Hit]:
        hits: dict[tuple[Tag, int, int], Hit] = {}
        forms = [
            self._unmask(t) if t.kind == MASKED else self._reveal(t.forms)
            if t.forms and "*" in t.forms[-1]
            else t.forms
            for t in tokens
        ]  # fmt: skip
        count = len(tokens)
        for i in range(count):
            for tag in self._singles(forms[i]):
                hits[(tag, i, i)] = Hit(tag, i, i)
            if i + 1 < count and forms[i + 1]:
                for phrase, tag in self._phrases(forms[i], forms[i + 1]):
                    last = i + len(phrase) - 1
                    if last < count and all(
                        _same(w, tokens[i + k], plural=i + k == last)
                        for k, w in enumerate(phrase[2:], start=2)
                    ):
                        hits[(tag, i, last)] = Hit(tag, i, last)
        return list(hits.values())

    def _singles(self, forms: tuple[str, ...]) -> tuple[Tag, ...]:
        """Tags of the single-word entries a token matches (remembered: words repeat)."""
        found = self._single_cache.get(forms)
        if found is None:
            found = tuple(
                dict.fromkeys(
                    tag
                    for form in forms
                    for key in (form, *_singulars(form), *self._stem(form))
                    for tag in self._words.get(key, ())
                )
            )
            self._remember(self._single_cache, forms, found)
        return found

    def _phrases(
        self, here: tuple[str, ...], after: tuple[str, ...]
    ) -> tuple[tuple[tuple[str, ...], Tag], ...]:
        """Phrases starting with this token and the next (remembered: word pairs repeat)."""
        found = self._pair_cache.get((here, after))
        if found is None:
            found = tuple(
                (phrase, tag)
                for form in here
                for second in after
                for key in (second, *_singulars(second))
                for phrase, tag in self._pairs.get((form, key), ())
                # only the last word of a phrase may be plural
                if key == second or len(phrase) == 2
            )
            self._remember(self._pair_cache, (here, after), found)
        return found

    def _stem(self, form: str) -> tuple[str, ...]:
        stem = self._stems.get(form)
        return (stem,) if stem else ()

    @staticmethod
    def _remember(cache: dict[_K, _V], key: _K, value: _V) -> None:
        if len(cache) > 100_000:
            cache.clear()  # bounded memory whatever the input
        cache[key] = value

    def _unmask(self, token: Token) -> tuple[str, ...]:
        """ "sc*m" -> ("scum",): each * stands for one letter of a listed word."""
        pattern = token.forms[0]
        known = self._unmasked.get(pattern)
        if known is None:
            known = self._fits(pattern)
            if not known and len(pattern) > 3 and pattern.endswith("s"):
                known = self._fits(pattern[:-1])  # "c*nts": a listed word's plural
            if len(self._unmasked) < 10_000:
                self._unmasked[pattern] = known
        return known + token.forms

    def _reveal(self, forms: tuple[str, ...]) -> tuple[str, ...]:
        """A word with a symbol between letters: its readings, and the hidden words it fits."""
        pattern = forms[-1]
        known = self._revealed.get(pattern)
        if known is None:
            known = self._hiding(pattern)
            if not known and len(pattern) > 4 and pattern.endswith("s"):
                known = tuple(word + "s" for word in self._hiding(pattern[:-1]))  # "c@nts"
            if len(self._revealed) < 10_000:
                self._revealed[pattern] = known
        return forms + known if known else forms

    def _hiding(self, pattern: str) -> tuple[str, ...]:
        return tuple(
            word
            for word in self._hidden.get(len(pattern), ())
            if all(p in ("*", c) for p, c in zip(pattern, word, strict=True))
        )

    def _fits(self, pattern: str) -> tuple[str, ...]:
        return tuple(
            word
            for word in self._by_length.get(len(pattern), ())
            if all(p in ("*", c) for p, c in zip(pattern, word, strict=True))
        )


def phrase_words(phrase: str) -> tuple[str, ...]:
    """The canonical words of a policy phrase (first form of each token)."""
    stripped = phrase.strip()
    if _PLAIN.fullmatch(stripped):
        # Most phrases: the tokeniser would give their words as they are, and running it
        # on every phrase of the policy was most of a cold start.
        return tuple(stripped.split())
    return _tokenised(phrase)


def _tokenised(phrase: str) -> tuple[str, ...]:
    folded = fold(phrase.strip())
    tokens = tokenise(folded, original=phrase, vocabulary=NoVocabulary())
    return tuple(t.forms[0] for t in tokens if t.forms)


_PLAIN = re.compile(r"[a-z]+(?: [a-z]+)*")


def _same(word: str, token: Token, *, plural: bool) -> bool:
    forms = token.forms
    if word in forms or word.replace("'", "") in forms:
        return True
    return plural and any(word in _singulars(form) for form in forms)


@lru_cache(maxsize=65536)
def _singulars(form: str) -> tuple[str, ...]:
    """ "idiots" -> idiot; "bitches" -> bitche, bitch. Never for "class" or short words."""
    if len(form) < 4 or not form.endswith("s") or form.endswith("ss"):
        return ()
    if form.endswith("es"):
        return (form[:-1], form[:-2])
    return (form[:-1],)


# Re-exported for the checker: the forms of a single policy word.
__all__ = ["Hit", "Lexicon", "Tag", "phrase_words", "word_forms"]
