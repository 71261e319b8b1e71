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
# what they mean ("can I ...", "is it ok to ...", "actually", "show me section"): none
# of them tells sections apart.
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
    section sections show
    actually basically anyway literally even exactly honestly generally totally quite
    sorry
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_WORDS.split())

# Everyday words the guidance uses in passing ("as long as", "make promises", "put
# the stories ... first", "take the time"). A member's question that shares only
# such a word with a section ("how long should a post be") is not about that
# section: typed in a question they count for little (QUERY_INCIDENTAL_WEIGHT in
# the lookup), though a synonym that aims at one still counts in full.
_INCIDENTAL_WORDS = """
    able across act add added adding back become best bring carry clear clearly current
    day days deal different everyday everyone example feel feels first fit follow follows
    found future give gives good great kept known like line long lot make makes many
    mean means new one ones other others otherwise overall part people person put rather
    rest result say says see seen side since sit someone stand start starting state stay
    stuff take time times use used way ways whether whoever within without world
    voter voters candidate candidates
"""

# Where a post goes and whose it is ("... on the page", "... on our facebook", "...
# for the CLP"): nearly every section says them, so they tell a question's place,
# not its topic. A question whose only words the guidance knows are these, beside
# words it does not know at all ("can I post a photo of a child", "how do I pin a
# post to the page"), is about something the guidance does not cover. Platform
# names reach these words through the synonyms ("facebook" -> social media accounts).
_CONTEXT_WORDS = """
    post posts posted posting upload uploading page pages account accounts social media
    clp hclp huntingdon party labour online
"""

# Real words one slip away from a word the guidance uses, which members mean as
# typed: "consent" is not "content", nor "county" (council) "country".
_REAL_WORDS = """
    consent consents county context contest roles pasty amuse shape shore stare spare
    choir premise medic phony mules
    mate mates male made came fame fake fact case past sale lane park farm firm
    hole read rate rent sent bent tent pain pair ride file tile tide fine fire fund
    gold held king feed feet fell seem sing size soft spot spend star stage still test
    tree week small black clean count police price print shot thin shame shake stake
    scare drag pace lone cone tore pint fees wards banner poster caption june litter
"""
REAL_WORDS: frozenset[str] = frozenset(_REAL_WORDS.split())

# Matters a social media guidance may not cover: children, consent (and photos of
# people), safeguarding, expenses and money, formatting, the account's own settings,
# membership admin. A question about one is answered only by a guidance that speaks
# of it. When the guidance has no word of a group, its best section for the rest of
# the question ("photos of the kids from the family fun day" -> what the accounts are
# for; "claim expenses" -> the rules' "claims") would be a confident answer on a
# matter it does not cover. One word of a group in the guidance covers the group
# ("children" covers "child" and "kids"); the phrases after "|" (regular expressions
# over the question's words, separated by commas) only match, they do not cover
# ("people" of "people in the photo" is a word every guidance uses).
_UNANSWERED_UNLESS_COVERED = (
    """child children kid kids kiddies minor minors teen teens teenager teenagers baby
    babies toddler toddlers pupil pupils schoolchildren""",
    """consent consents consented
    | permission to (?:use|post|share|put up|take)(?: a| the| their| our)?
      (?:photos?|pictures?|pics?|videos?)
    , (?:photos?|pictures?|pics?|videos?) of people at
    , people in the (?:photos?|pictures?|pics?|videos?|background)
    , blur (?:their |the )?faces, their faces""",
    "safeguarding safeguard",
    """expenses expense reimburse reimbursed reimbursement refund refunds receipt receipts
    invoice invoices""",
    """font fonts italics italic underline underlined gif gifs sticker stickers
    | text bold, bold text, in bold""",
    """username usernames avatar | profile picture, profile pic, profile photo, cover photo,
    cover picture, header image, display name""",
    """renew renewal | membership number, membership card, membership fee, membership fees,
    direct debit, my subs""",
)


def _group(text: str) -> tuple[frozenset[str], tuple[str, ...]]:
    single, _, phrases = text.partition("|")
    return frozenset(single.split()), tuple(
        " ".join(p.split()) for p in phrases.split(",") if p.strip()
    )


# (the group's words, which cover and match; its phrases, which only match)
UNANSWERED_UNLESS_COVERED: tuple[tuple[frozenset[str], tuple[str, ...]], ...] = tuple(
    _group(text) for text in _UNANSWERED_UNLESS_COVERED
)

# Questions that ask for a fact a social media guidance never gives: a time or a date,
# when the next thing is, a price, who won, the weather, where to park, how many
# characters fit. Their other words ("the branch meeting", "the street stall", "the
# election", "membership") would otherwise find a section that says nothing on them.
# Matched on the question's words as read (text-speak expanded, apostrophes dropped).
_FACT_QUESTIONS = re.compile(
    r"\b(?:what time|what date|which date|what day|which day|which days"
    r"|when(?: is| are| will| does| do)?(?: the| our)? next"
    r"|how much (?:is|are|does|do|will|for|it costs?)(?! too)"
    r"|who won|who will win|who is going to win"
    r"|weather|forecast|raining"
    r"|where (?:can|do|should|shall) (?:i|we) park"
    r"|how many (?:characters|letters|words|hashtags|emojis))\b"
)

# Text-speak and apostrophes left out, as members type them, read as the words meant
# ("wot r the rules 4 posting", "cant", "whats"). Only questions are read this way.
_TEXT_SPEAK: dict[str, tuple[str, ...]] = {
    "u": ("you",),
    "ur": ("your",),
    "r": ("are",),
    "2": ("to",),
    "4": ("for",),
    "b4": ("before",),
    "wot": ("what",),
    "wat": ("what",),
    "cn": ("can",),
    "cud": ("could",),
    "shud": ("should",),
    "wud": ("would",),
    "pls": ("please",),
    "plz": ("please",),
    "sum1": ("someone",),
    "ppl": ("people",),
    "msg": ("message",),
    "msgs": ("messages",),
    "pic": ("picture",),
    "pics": ("pictures",),
    "cant": ("can", "t"),
    "dont": ("don", "t"),
    "doesnt": ("doesn", "t"),
    "didnt": ("didn", "t"),
    "isnt": ("isn", "t"),
    "arent": ("aren", "t"),
    "wont": ("won", "t"),
    "shouldnt": ("shouldn", "t"),
    "couldnt": ("couldn", "t"),
    "wouldnt": ("wouldn", "t"),
    "im": ("i", "m"),
    "ive": ("i", "ve"),
    "id": ("i", "d"),
    "ill": ("i", "ll"),
    "youre": ("you", "re"),
    "weve": ("we", "ve"),
    "theyve": ("they", "ve"),
    "theyre": ("they", "re"),
    "whats": ("what",),
    "thats": ("that",),
    "theres": ("there",),
    "heres": ("here",),
    "whos": ("who",),
    "hows": ("how",),
    "wheres": ("where",),
    "lets": ("let",),
}
# "what kind of", "a sort of", "a bit of": the first word is not the adjective or verb.
_HEDGES = frozenset({"kind", "sort", "type", "bit", "lot", "bunch"})


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


def query_words(text: str) -> list[str]:
    """`words` for a member's question, text-speak and dropped apostrophes read as meant."""
    out: list[str] = []
    for word in words(text):
        out.extend(_TEXT_SPEAK.get(word, (word,)))
    return out


def hedges(found: list[str]) -> frozenset[int]:
    """Where `found` says "kind of", "sort of", "a bit of": that "kind" is not "be kind"."""
    return frozenset(
        i for i, w in enumerate(found) if w in _HEDGES and found[i + 1 : i + 2] == ["of"]
    )


def is_incidental(word: str) -> bool:
    """An everyday word the guidance uses only in passing (see `_INCIDENTAL_WORDS`)."""
    return stem(word) in _INCIDENTAL_STEMS


def is_stop_word(word: str) -> bool:
    """Function words, and single letters or digits (list markers such as "1)")."""
    return len(word) < 2 or word in STOP_WORDS


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of one normalised word."""
    result: str = _stemmer().stemWord(word)
    return result


_INCIDENTAL_STEMS: frozenset[str] = frozenset(stem(w) for w in _INCIDENTAL_WORDS.split())
CONTEXT_STEMS: frozenset[str] = frozenset(stem(w) for w in _CONTEXT_WORDS.split())


def content_stems(text: str) -> list[str]:
    """The stems of the words that carry meaning, in order, repeats kept."""
    return [stem(w) for w in words(text) if not is_stop_word(w)]


def asks_for_a_fact(question: str) -> bool:
    """Whether the question (its words as `query_words` reads them, joined by spaces)
    asks for a time, date, price, result, forecast, parking place or character count."""
    return _FACT_QUESTIONS.search(question) is not None
