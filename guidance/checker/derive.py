"""Derived forms of a listed insult: "scum" -> "scummy", "scummier", "scummiest", "scumbag".

An insult keeps its sting when an ending turns it into another word ("Tories are
scummy", "the shittiest government", "scumfaced"), so the policy names the rules whose
single words are read with these endings (`derived: rules`) and the endings
(`derived: endings`). English spelling is followed: a short word ending in one vowel
and one consonant doubles it before a vowel ("scum": "scummy", "slut": "slutty"), a
silent "e" goes ("arse": "arsy" as well as "arsey"), and "y" becomes "i" before
"-ier" and "-iest". A derived form that is an innocent English word of its own
(`derived: innocent`, e.g. "bastardy") is never made.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

_VOWELS = frozenset("aeiou")
_MIN_STEM = 4  # "fk", "arse" is the shortest stem worth deriving from


def derived_forms(word: str, endings: Iterable[str], *, innocent: frozenset[str]) -> Iterator[str]:
    """The words `word` makes with each ending, skipping innocent English words."""
    if len(word) < _MIN_STEM or not word.isalpha():
        return
    seen: set[str] = {word}
    for ending in endings:
        for form in _join(word, ending):
            if form not in seen and form not in innocent:
                seen.add(form)
                yield form


def _join(stem: str, ending: str) -> Iterator[str]:
    if ending[0] not in _VOWELS and ending[0] != "y":
        yield stem + ending  # "scum" + "bag", "scum" + "faced"
        return
    if stem.endswith("y"):
        if ending.startswith("i"):
            yield stem[:-1] + ending  # "shitty" + "iest": "shittiest"
        return
    if stem.endswith("e"):
        yield stem[:-1] + ending  # "arse" + "y": "arsy"
        if ending == "y":
            yield stem + ending  # "arsey"
        return
    if _doubles(stem):
        yield stem + stem[-1] + ending  # "scum" + "y": "scummy"; "scumbag": "scumbaggy"
    yield stem + ending  # "bitch" + "y": "bitchy"; "twat" + "ish" (also "twattish")


def _doubles(stem: str) -> bool:
    """Ends in consonant, one vowel, consonant ("scum", "scumbag"): both spellings are
    made, as posts double the letter in longer words too ("scumbaggy")."""
    last, before, third = stem[-1], stem[-2], stem[-3]
    return last not in _VOWELS and last not in "wxy" and before in _VOWELS and third not in _VOWELS
