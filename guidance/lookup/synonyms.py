"""The party's synonym map, compiled for query-time expansion.

The policy file holds `synonyms:` as `term or phrase -> [words it means]`, e.g.
`tories: [opponents]`, `who can post: [approved users]`. A key matches the
query's words by stem, stop words included (so "who can post" is a phrase, and
"Tories" matches `tory`); a match adds the stems of what it means to the query.
The lookup builds it over its built-in everyday words (`everyday.py`) as defaults.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from guidance.lookup.terms import content_stems, stem, words


@dataclass(frozen=True, slots=True)
class SynonymMap:
    # key phrase as a tuple of stems -> the content stems it adds
    _entries: Mapping[tuple[str, ...], tuple[str, ...]]
    _longest: int
    # the words as the party wrote them, so typo correction can aim at them
    surface_words: frozenset[str] = frozenset()

    @classmethod
    def build(
        cls,
        synonyms: Mapping[str, Sequence[str] | str] | None,
        *,
        defaults: Mapping[str, Sequence[str] | str] | None = None,
    ) -> SynonymMap:
        """`synonyms` over `defaults`: a key of both (by stems: "opinion" and
        "opinions") means what `synonyms` says, not both."""
        surface: set[str] = set()
        base = _entries(defaults or {}, surface)
        own = _entries(synonyms or {}, surface)
        entries = {**base, **own}
        frozen = {k: tuple(v) for k, v in entries.items() if v}
        return cls(frozen, max((len(k) for k in frozen), default=0), frozenset(surface))

    def expand(self, stems: Sequence[str], *, phrase_only: Collection[int] = ()) -> list[str]:
        """The stems added by every key found in `stems` (all words, stop words kept).

        Longest keys win at each position, so "rude words" is one phrase and not
        also "words". At a position in `phrase_only` only a phrase may start (the
        "kind" of "what kind of things" is not the key `kind`).
        """
        added: list[str] = []
        i = 0
        while i < len(stems):
            smallest = 2 if i in phrase_only else 1
            for size in range(min(self._longest, len(stems) - i), smallest - 1, -1):
                meaning = self._entries.get(tuple(stems[i : i + size]))
                if meaning is not None:
                    added.extend(meaning)
                    i += size
                    break
            else:
                i += 1
        return added

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self) -> Iterable[tuple[str, ...]]:
        return self._entries.keys()


def _entries(
    synonyms: Mapping[str, Sequence[str] | str], surface: set[str]
) -> dict[tuple[str, ...], list[str]]:
    """Key stems -> the content stems they add; the words written go into `surface`."""
    entries: dict[tuple[str, ...], list[str]] = {}
    for term, meanings in synonyms.items():
        key = tuple(stem(w) for w in words(str(term)))
        surface.update(words(str(term)))
        if not key:
            continue
        values = [meanings] if isinstance(meanings, str) else list(meanings)
        added = entries.setdefault(key, [])
        for meaning in values:
            surface.update(words(str(meaning)))
            added.extend(s for s in content_stems(str(meaning)) if s not in added)
    return entries
