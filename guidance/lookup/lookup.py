"""Finding the part of the guidance a member is asking about.

`GuidanceIndex.build(guidance, synonyms=...)` indexes every section once (per
process); `index.lookup(query)` answers one question:

1. An exact section id or title ("rules", "nec statement", "Who is
   responsible") wins outright.
2. Otherwise the query's words are normalised, stop words dropped, misspelt
   words corrected to the nearest word the guidance or the synonym map uses
   ("oponents" -> "opponents"), stemmed, and expanded with the party's
   synonyms ("tories" -> opponents).
3. Sections are ranked by BM25F over their title (boosted), summary and full
   text. Sections far behind the best one are left out.
4. When no section scores well, the answer says so and offers the closest
   titles instead; so too when the question shares only where it is posted with
   the guidance ("a photo of a child on the page"), asks about children or consent
   the guidance never mentions, or names a section by a number it does not use.

Nothing a member types raises: unknown words, an empty query, emoji, markup or
a pasted 5,000-character draft all get an answer.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from guidance.lookup.everyday import EVERYDAY_SYNONYMS
from guidance.lookup.synonyms import SynonymMap
from guidance.lookup.terms import (
    CONTEXT_STEMS,
    REAL_WORDS,
    UNANSWERED_UNLESS_COVERED,
    asks_for_a_fact,
    hedges,
    is_incidental,
    is_stop_word,
    query_words,
    stem,
    words,
)
from guidance.sections import Guidance, Section

# BM25F: how much a word in each field counts, and the usual saturation knobs.
FIELD_WEIGHTS: Mapping[str, float] = {"title": 3.0, "summary": 1.5, "text": 1.0}
K1 = 1.2
B = 0.75
# The score an exact id or title match is reported with: above any ranked score
# a query can reach (it is capped at MAX_QUERY_WORDS words).
EXACT_SCORE = 1000.0
# Below this share of the weight of a word found in one section only, the best
# section is not a good answer: say so and suggest titles. (With the shipped 8
# sections that is a score of 0.5; one distinctive word in a long section's text
# scores about 0.6, a word most sections use about 0.2.)
MIN_RELEVANCE = 0.28
# Other sections are offered alongside the best only when this close to it.
RELATED_FRACTION = 0.3
# An everyday word the guidance uses only in passing ("as long as", "make promises")
# counts this much when typed: alone it cannot make a section the answer.
QUERY_INCIDENTAL_WEIGHT = 0.3
# A pasted draft is fine, but only its first words are read: the answer does
# not improve beyond this, and the time spent stays bounded.
MAX_QUERY_WORDS = 300
# "what does approved user mean", "who is an approved user": the section that puts
# the term in quotation marks (“to be known as ‘approved users’”) defines it, and a
# question asking what the term means gets this added to that section's score.
DEFINITION_BONUS = 1.0
_QUOTED = re.compile(r"[“\"]([^”“\"\n]{1,60})[”\"]")
_DEFINED_TERM_WORDS = 3  # a longer quotation is a quotation, not a term
_MAX_CORRECTIONS_CACHED = 20_000
# "section 5", "part 2", "§3": a section named by its number. It is that section only
# when the guidance numbers its sections ("## 5. Rules {#rules}"); otherwise it names
# nothing, and is not searched as words (a guess would be a confident wrong answer).
_NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_NUMBER_WORDS = {w: n for n, w in enumerate(_NUMBERS, start=1)}
_SECTION_REFERENCE = re.compile(
    r"(?:\b(?:section|sect|sec|part|chapter|paragraph|para)\s*|§\s*)(?:no\.?\s*|number\s*)?"
    rf"(?P<n>\d{{1,2}}|{'|'.join(_NUMBER_WORDS)})\b",
    re.IGNORECASE,
)
_TITLE_NUMBER = re.compile(r"^\s*(?:section\s+)?(?P<n>\d{1,2})\s*[.):\-–]\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Hit:
    section: Section
    score: float
    exact: bool = False


@dataclass(frozen=True, slots=True)
class Correction:
    typed: str
    understood: str


@dataclass(frozen=True, slots=True)
class Lookup:
    """The answer to one question."""

    query: str
    hits: tuple[Hit, ...]  # best first; empty when nothing matched well
    suggestions: tuple[Section, ...]  # the closest titles when `hits` is empty
    corrections: tuple[Correction, ...]  # misspellings the search read differently
    searchable: bool  # False when the query had no words to search for ("", "?", emoji)

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None


@dataclass(frozen=True, slots=True)
class _Query:
    weights: dict[str, float]  # stem -> weight
    understood: str  # the words as read, misspellings corrected
    corrections: tuple[Correction, ...]
    searchable: bool
    asks_meaning: bool = False  # "what is an X", "what does X mean"
    # words neither the guidance nor the synonyms know (nor a slip of one), and
    # everyday words the guidance uses only in passing
    vague: int = 0
    uncovered: bool = False  # children or consent the guidance never names; a time, a price


class GuidanceIndex:
    """An immutable search index over one `Guidance`; safe to share between tasks."""

    def __init__(
        self,
        *,
        guidance: Guidance,
        synonyms: SynonymMap,
        postings: dict[str, list[tuple[int, float]]],
        vocabulary: list[str],
        known_words: frozenset[str],
    ) -> None:
        self.guidance = guidance
        self.synonyms = synonyms
        self._postings = postings
        # correction targets by first letter, most frequent first
        self._by_initial: dict[str, list[str]] = {}
        for word in vocabulary:
            if len(word) >= 4:
                self._by_initial.setdefault(word[0], []).append(word)
        self._known_words = known_words
        # A word whose stem the guidance or a synonym uses is known: "thread" is not a
        # slip for "threads", though only the plural is written down.
        self._known_stems = frozenset(postings) | {stem(w) for w in synonyms.surface_words}
        self._corrections: dict[str, str | None] = {}
        uncovered_groups = [
            (group, phrases)
            for group, phrases in UNANSWERED_UNLESS_COVERED
            if not any(stem(w) in self._known_stems for w in group)
        ]
        self._uncovered = frozenset(w for group, _ in uncovered_groups for w in group)
        phrases = [p for _, group_phrases in uncovered_groups for p in group_phrases]
        self._uncovered_phrase = re.compile(rf"\b(?:{'|'.join(phrases)})\b") if phrases else None
        self._exact: dict[str, int] = {}
        for i, section in enumerate(guidance.sections):
            self._exact.setdefault(" ".join(words(section.id)), i)
            self._exact.setdefault(" ".join(words(section.title)), i)
        self._titles = {i: " ".join(words(s.title)) for i, s in enumerate(guidance.sections)}
        n = len(guidance.sections)
        self._defined = _defined_terms(guidance, postings)
        self._numbered: dict[int, int] = {}
        for i, section in enumerate(guidance.sections):
            number = _TITLE_NUMBER.match(section.title)
            if number is not None:
                self._numbered.setdefault(int(number["n"]), i)
        self.min_score = MIN_RELEVANCE * math.log(1 + (n - 0.5) / 1.5)

    @classmethod
    def build(
        cls, guidance: Guidance, *, synonyms: Mapping[str, Sequence[str] | str] | None = None
    ) -> GuidanceIndex:
        # The party's synonyms over the built-in everyday words: a key of both means
        # what the party says.
        synonym_map = SynonymMap.build(synonyms, defaults=EVERYDAY_SYNONYMS)
        fields = [
            {"title": s.title, "summary": s.summary, "text": s.text} for s in guidance.sections
        ]
        field_stems = [
            {
                name: [stem(w) for w in words(value) if not is_stop_word(w)]
                for name, value in f.items()
            }
            for f in fields
        ]
        average = {
            name: max(1.0, sum(len(doc[name]) for doc in field_stems) / len(field_stems))
            for name in FIELD_WEIGHTS
        }
        document_frequency: Counter[str] = Counter()
        for doc in field_stems:
            document_frequency.update({s for terms in doc.values() for s in terms})
        n = len(field_stems)
        postings: dict[str, list[tuple[int, float]]] = {}
        for i, doc in enumerate(field_stems):
            weighted: dict[str, float] = {}
            for name, terms in doc.items():
                norm = 1 - B + B * len(terms) / average[name]
                for term, count in Counter(terms).items():
                    weighted[term] = weighted.get(term, 0.0) + FIELD_WEIGHTS[name] * count / norm
            for term, tf in weighted.items():
                df = document_frequency[term]
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                postings.setdefault(term, []).append((i, idf * tf / (K1 + tf)))

        surface: Counter[str] = Counter()
        for f in fields:
            for value in f.values():
                surface.update(w for w in words(value) if not is_stop_word(w))
        surface.update({w: 1 for w in synonym_map.surface_words if not is_stop_word(w)})
        vocabulary = sorted(
            (w for w in surface if len(w) >= 3 and w.isalpha()), key=lambda w: (-surface[w], w)
        )
        return cls(
            guidance=guidance,
            synonyms=synonym_map,
            postings=postings,
            vocabulary=vocabulary,
            known_words=frozenset(surface),
        )

    # -- questions ---------------------------------------------------------------------------

    def search(self, query: str, *, limit: int = 3) -> list[Hit]:
        """The sections that answer `query`, best first; empty when none answers well."""
        return list(self.lookup(query, limit=limit).hits)

    def lookup(self, query: str, *, limit: int = 3) -> Lookup:
        """The full answer: hits, or (when nothing fits) the closest titles."""
        limit = max(1, limit)
        sections = self.guidance.sections
        asked, exact = self._section_reference(query)
        parsed = self._parse(asked)
        if exact is None:
            exact = self._exact_match(asked)
        if exact is None:
            exact = self._exact.get(parsed.understood)
        ranked = self._rank(parsed.weights, defining=parsed.asks_meaning)
        if exact is not None:
            others = [h for h in ranked if h.section.id != sections[exact].id]
            hits = [Hit(sections[exact], EXACT_SCORE, exact=True), *self._related(others)]
            return Lookup(query, tuple(hits[:limit]), (), parsed.corrections, True)
        if ranked and ranked[0].score >= self.min_score and self._on_topic(parsed):
            hits = [ranked[0], *self._related(ranked[1:], best=ranked[0].score)]
            return Lookup(query, tuple(hits[:limit]), (), parsed.corrections, True)
        suggestions = self._closest_titles(asked, weak=ranked, limit=limit)
        # A section named by a number the guidance does not use was asked for: "nothing
        # matched", not the contents offered for a query with no words.
        searchable = parsed.searchable or asked != query
        return Lookup(query, (), suggestions, parsed.corrections, searchable)

    def section(self, section_id: str) -> Section | None:
        return self.guidance.get(section_id.strip().lstrip("#").lower())

    def titles_starting(self, prefix: str, *, limit: int = 25) -> list[str]:
        """Section titles for autocomplete: those whose title or id contains `prefix`,
        then (if `prefix` matches none) the best search results."""
        wanted = " ".join(words(prefix))
        sections = self.guidance.sections
        if not wanted:
            return [s.title for s in sections][:limit]
        found = [
            s.title
            for i, s in enumerate(sections)
            if wanted in self._titles[i] or wanted in " ".join(words(s.id))
        ]
        if not found:
            found = [h.section.title for h in self.search(prefix, limit=limit)]
        return found[:limit]

    # -- the steps ---------------------------------------------------------------------------

    def _on_topic(self, parsed: _Query) -> bool:
        """Whether the question shares a topic with the guidance, not only its place.

        "can I post a photo of a child" shares "post" with most sections and nothing
        else: the guidance does not cover photos, and the best-scoring section would be
        a confident wrong answer. Nor is one about children or consent, when the
        guidance never names them, nor one asking for a time, a price or the weather.
        Nor one whose only other words are everyday words the guidance uses in
        passing ("the best time of day to post on instagram"). A question whose every
        word the guidance knows is left to the score ("facebook", "what are the
        accounts for", "who can post on the page").
        """
        if parsed.uncovered:
            return False
        if parsed.vague == 0:
            return True
        return any(
            weight >= 1.0 and term not in CONTEXT_STEMS and term in self._postings
            for term, weight in parsed.weights.items()
        )

    def _section_reference(self, query: str) -> tuple[str, int | None]:
        """`query` without a "section N" in it, and section N if the guidance numbers one."""
        found = _SECTION_REFERENCE.search(query[:300])
        if found is None:
            return query, None
        typed = found["n"].lower()
        number = _NUMBER_WORDS[typed] if typed in _NUMBER_WORDS else int(typed)
        rest = f"{query[: found.start()]} {query[found.end() :]}".strip()
        return rest, self._numbered.get(number)

    def _exact_match(self, query: str) -> int | None:
        key = " ".join(words(query[:300]))
        return self._exact.get(key) if key else None

    def _parse(self, query: str) -> _Query:
        all_stems: list[str] = []
        understood: list[str] = []
        weights: dict[str, float] = {}
        corrections: list[Correction] = []
        typed = query_words(query)[:MAX_QUERY_WORDS]
        hedged = hedges(typed)
        vague = 0
        asked = " ".join(typed)
        uncovered = asks_for_a_fact(asked) or (
            self._uncovered_phrase is not None and self._uncovered_phrase.search(asked) is not None
        )
        for position, word in enumerate(typed):
            if is_stop_word(word) or position in hedged:
                all_stems.append(stem(word))
                understood.append(word)
                continue
            term = stem(word)
            if word in self._uncovered:
                uncovered = True
            if word not in self._known_words and term not in self._known_stems:
                better = self._correct(word)
                if better is not None:
                    corrections.append(Correction(word, better))
                    term = stem(better)
                    word = better
                else:
                    vague += 1
            understood.append(word)
            all_stems.append(term)
            weight = 1.0
            if is_incidental(word):
                weight = QUERY_INCIDENTAL_WEIGHT
                vague += 1
            weights[term] = max(weight, weights.get(term, 0.0))
        for term in self.synonyms.expand(all_stems, phrase_only=hedged):
            weights[term] = 1.0
        return _Query(
            weights,
            " ".join(understood),
            tuple(dict.fromkeys(corrections)),
            bool(weights),
            _asks_what_it_means(understood),
            vague,
            uncovered,
        )

    def _correct(self, word: str) -> str | None:
        """The vocabulary word `word` is most likely a misspelling of, if any."""
        if not 4 <= len(word) <= 30 or not word.isalpha() or word in REAL_WORDS:
            return None
        if word in self._corrections:
            return self._corrections[word]
        # One slip (a swapped pair counts as one) up to eight letters, two in a
        # longer word; more than that is another word ("swearing" is not "steering").
        # People rarely mistype the first letter, and a real word one letter away
        # from a short one ("table", "able") is usually a different word.
        allowed = 1 if len(word) <= 8 else 2
        candidates = self._by_initial.get(word[0], ())
        found = process.extractOne(
            word,
            candidates,
            scorer=DamerauLevenshtein.distance,
            score_cutoff=allowed,
        )
        better = found[0] if found is not None else None
        if len(self._corrections) >= _MAX_CORRECTIONS_CACHED:
            self._corrections.clear()
        self._corrections[word] = better
        return better

    def _rank(self, weights: Mapping[str, float], *, defining: bool = False) -> list[Hit]:
        scores: dict[int, float] = {}
        for term, weight in weights.items():
            for doc, part in self._postings.get(term, ()):
                scores[doc] = scores.get(doc, 0.0) + weight * part
        if defining:
            for term_stems, doc in self._defined:
                if doc in scores and all(weights.get(t, 0.0) >= 1.0 for t in term_stems):
                    scores[doc] += DEFINITION_BONUS
        order = sorted(scores, key=lambda doc: (-scores[doc], doc))
        sections = self.guidance.sections
        return [Hit(sections[doc], round(scores[doc], 4)) for doc in order if scores[doc] > 0]

    def _related(self, ranked: Sequence[Hit], *, best: float | None = None) -> list[Hit]:
        floor = self.min_score if best is None else max(self.min_score, best * RELATED_FRACTION)
        return [h for h in ranked if h.score >= floor]

    def _closest_titles(
        self, query: str, *, weak: Sequence[Hit], limit: int
    ) -> tuple[Section, ...]:
        sections = self.guidance.sections
        chosen: list[int] = [sections.index(h.section) for h in weak[:limit]]
        text = " ".join(words(query[:300]))
        if text and len(chosen) < limit:
            for _title, _score, i in process.extract(
                text, self._titles, scorer=fuzz.WRatio, limit=len(sections)
            ):
                if i not in chosen:
                    chosen.append(i)
                if len(chosen) >= limit:
                    break
        for i in range(len(sections)):
            if len(chosen) >= limit:
                break
            if i not in chosen:
                chosen.append(i)
        return tuple(sections[i] for i in chosen[:limit])


_MEANING_WORDS = frozenset({"mean", "means", "meaning", "define", "definition"})


def _asks_what_it_means(found: Sequence[str]) -> bool:
    """ "what is an X", "who are the X", "what does X mean", "definition of X"."""
    if _MEANING_WORDS.intersection(found):
        return True
    return found[0:1] in (["what"], ["who"]) and found[1:2] in (["is"], ["are"], ["an"], ["a"])


def _defined_terms(
    guidance: Guidance, postings: Mapping[str, list[tuple[int, float]]]
) -> tuple[tuple[tuple[str, ...], int], ...]:
    """The short terms each section puts in quotation marks, as stems, with the section.

    A term whose every word most sections use ("the party") defines nothing.
    """
    n = len(guidance.sections)
    found: list[tuple[tuple[str, ...], int]] = []
    for i, section in enumerate(guidance.sections):
        for quoted in _QUOTED.findall(f"{section.summary}\n{section.text}"):
            terms = [w for w in words(quoted) if not is_stop_word(w)]
            if not terms or len(terms) > _DEFINED_TERM_WORDS:
                continue
            stems = tuple(stem(w) for w in terms)
            if all(len(postings.get(s, ())) > n / 2 for s in stems):
                continue
            if (stems, i) not in found:
                found.append((stems, i))
    return tuple(found)
