"""Words to search terms: lower-case words, English stop words dropped, Snowball stems.

The lookup index and the synonym map share these functions, so a query word, a
synonym and the guidance text meet on the same stem ("Tories" and "tory" both
become `tori`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# Letters and digits, with apostrophes inside a word kept ("don't", "party's").
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})

# Common English function words, plus the question words members wrap around
# what they mean ("can I ...", "is it ok to ..."): none of them tells sections apart.
_STOP_WORDS = """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing done down during each else
    ever few for from further get gets got had has have having he her here hers herself him
    himself his how i if in into is it its itself just let lets me might more most must my
    myself no nor not now of off on once only or other our ours ourselves out over own same
    shall she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours yourself yourselves us ok okay allowed allow
    please tell know want need really thing things something anything also may am
    s t d ll m re ve don doesn didn isn aren wasn weren won wouldn shouldn couldn cannot
    hi hello thanks thank
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_WORDS.split())


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


def words(text: str) -> list[str]:
    """Every word, normalised, possessive "'s" dropped ("party's" -> "party").

    An upper-case acronym that lower-cases to a stop word ("IT", "US") stays a
    word of its own, spelt with a trailing underscore ("it_"), so "IT officers"
    is searchable while "it" is not; unless the whole text is in capitals.
    """
    out: list[str] = []
    nfkc = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    found = _WORD.findall(nfkc)
    # In "WHO IS RESPONSIBLE?" every word is upper case: that is shouting, not acronyms.
    acronyms_possible = len(found) == 1 or any(c.islower() for c in nfkc)
    for raw in found:
        word = raw.casefold()
        if acronyms_possible and len(raw) >= 2 and raw.isupper() and word in STOP_WORDS:
            out.append(word + "_")
            continue
        word = word.removesuffix("'s")
        # "don't" -> "don", "t": both stop words, like "do" and "not".
        out.extend(part for part in word.split("'") if part)
    return out


def is_stop_word(word: str) -> bool:
    """Function words, and single letters or digits (list markers such as "1)")."""
    return len(word) < 2 or word in STOP_WORDS


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of one normalised word."""
    result: str = _stemmer().stemWord(word)
    return result


def content_stems(text: str) -> list[str]:
    """The stems of the words that carry meaning, in order, repeats kept."""
    return [stem(w) for w in words(text) if not is_stop_word(w)]
