"""Every group of people, composed with every frame that attacks a group.

The policy lists the groups (by protected characteristic) and the frames (threats,
hatred, dehumanising comparisons, negative attributes, denial of rights) as templates:
"{group} ... should be {violent_done}". At policy load every phrase of every list goes
into the checker's one word index (guidance.checker.lexicon), and each template becomes a short
sequence of pieces. A post is looked up in the index once; a template is then tried only
where its first piece was found, so every frame meets every group the same way, and a
post that names no group costs next to nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple

from guidance.checker.lexicon import Hit, Lexicon, Tag
from guidance.checker.tokens import Token
from guidance.policy import Frame, Hate

_GAP = 4  # "...": up to four words
_FILL = 3  # "~": up to three filler phrases
_LEAD = 4  # words such as "all the", "those kinds of" before a group
_NEGATION_REACH = 2  # words before a match that can still negate it ("I don't ... hate")
_TARGETS = ("group", "person", "target", "adjective", "party")

_OPENING = re.compile(r"[\"“‘:]")
_PIECE = re.compile(r"\([^()]*\)|\S+")

Piece = tuple[str, str]  # (kind, list name): slot, gap, fill, start, end


class _Template(NamedTuple):
    frame_id: str
    frame: Frame
    pieces: tuple[Piece, ...]
    only_groups: bool  # no person can fill its target
    required: frozenset[Tag]  # the lists a post must touch for it to match


@dataclass(frozen=True, slots=True)
class FrameHit:
    frame: str
    rule: str
    message: str
    first: int  # index of the first token
    last: int  # index of the last token (inclusive)
    negated: bool


def _slot(name: str) -> Tag:
    return ("slot", name)


class Frames:
    def __init__(self, hate: Hate, *, lexicon: Lexicon) -> None:
        self._lexicon = lexicon
        self.vocabulary: set[str] = set()
        self.lists: dict[str, list[str]] = {name: list(words) for name, words in hate.words.items()}
        self.lists["groups"] = [
            w for terms in hate.groups.values() for w in (*terms.nouns, *terms.adjectives)
        ]
        self._add("noun", (n for terms in hate.groups.values() for n in terms.nouns))
        self._add("adjective", (a for terms in hate.groups.values() for a in terms.adjectives))
        self._add("people", hate.people)
        self._add("lead", hate.lead)
        self._add("pronoun", hate.pronouns)
        self._add("person", hate.persons)
        self._add("party", hate.parties)
        self._add("negator", hate.negators)
        self._add("not-negating", hate.not_negating)
        for name, words in hate.words.items():
            self._add(name, words)
        self.lists["templates"] = []  # filled with the templates' own words below
        self._templates: list[_Template] = []
        for name, frame in hate.frames.items():
            for template in frame.templates:
                pieces = self._pieces(template)
                required = frozenset(
                    _slot(n) for kind, n in pieces if kind == "slot" and n not in _TARGETS
                )
                self._templates.append(
                    _Template(name, frame, pieces, _only_groups(pieces), required)
                )

    def _add(self, name: str, phrases: Iterable[str]) -> None:
        for phrase in phrases:
            self._lexicon.add(phrase, _slot(name))
            self.vocabulary.update(w.replace("'", "") for w in phrase.lower().split())

    def _pieces(self, template: str) -> tuple[Piece, ...]:
        pieces: list[Piece] = []
        for word in _PIECE.findall(template):
            if word == "...":
                pieces.append(("gap", ""))
            elif word == "~":
                pieces.append(("fill", ""))
            elif word == "^":
                pieces.append(("start", ""))
            elif word == "$":
                pieces.append(("end", ""))
            elif word.startswith("{") and word.endswith("}"):
                pieces.append(("slot", word[1:-1]))
            else:  # literal words, "a|b" or "(a b|c)": a list of their own
                name = "=" + word
                options = word.strip("()").split("|")
                self._add(name, options)
                self.lists["templates"].extend(options)
                pieces.append(("slot", name))
        return tuple(pieces)

    def denies(self, hits: Mapping[Tag, list[Hit]], chosen: Sequence[Hit]) -> bool:
        """Whether a "not" or "never" stands between two of the `chosen` words, at most
        two words ahead of the second ("are not vermin", "don't control the media"), and
        is no idiom that negates nothing ("not just lazy", "nothing but")."""
        ends: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for name in ("negator", "not-negating"):
            for hit in hits.get(_slot(name), ()):
                ends[name][hit.first].append(hit.last + 1)
        negators = _negators(ends)
        return any(
            before.last < at < words.first and words.first - at <= _NEGATION_REACH
            for before, words in pairwise(chosen)
            for at in negators
        )

    def find(
        self,
        tokens: Sequence[Token],
        hits: dict[Tag, list[Hit]],
        *,
        text: str,
        clauses: Callable[[], Sequence[int]],
    ) -> Iterator[FrameHit]:
        """Each template's matches in the post, and whether a "not" or "never" reaches them.

        `text` is the folded post the tokens point into; `clauses()` gives each token's
        clause number, and is asked for only on a match.
        """
        groups = _slot("noun") in hits or _slot("adjective") in hits
        if not groups and _slot("person") not in hits and _slot("party") not in hits:
            return
        # most posts name no group and no violence: nothing to try, nothing to build
        candidates = [
            t for t in self._templates
            if (groups or not t.only_groups) and all(tag in hits for tag in t.required)
        ]  # fmt: skip
        if not candidates:
            return
        ends: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for tag, found in hits.items():
            if tag[0] == "slot":
                table = ends[str(tag[1])]
                for hit in found:
                    table[hit.first].append(hit.last + 1)
        match = _Match(tokens, ends, referring=groups, text=text)
        negators: list[int] | None = None
        for name, frame, pieces, _, _ in candidates:
            for start in match.starts(pieces[0]):
                end = next(match.run(pieces, 0, start, tokens[start].sentence), None)
                if end is None or end <= start:
                    continue
                negated = False
                if frame.negatable:
                    if negators is None:
                        negators = _negators(ends)
                    negated = _negated(negators, clauses(), start, end)
                yield FrameHit(name, frame.rule, frame.message, start, end - 1, negated)


def _only_groups(pieces: tuple[Piece, ...]) -> bool:
    """Can only a group of people (not a person) fill the template's target?"""
    return {name for kind, name in pieces if kind == "slot"}.isdisjoint(
        {"person", "target", "party"}
    )


def _negators(ends: dict[str, dict[int, list[int]]]) -> list[int]:
    idioms = {  # "no better than", "can't stop": every word of them negates nothing
        at for first, lasts in ends["not-negating"].items() for last in lasts
        for at in range(first, last)
    }  # fmt: skip
    return [at for at in ends["negator"] if at not in idioms]


def _negated(negators: list[int], clauses: Sequence[int], start: int, end: int) -> bool:
    """A negator inside the match, or just before it in the same clause."""
    first = start
    while first > 0 and start - first < _NEGATION_REACH and clauses[first - 1] == clauses[start]:
        first -= 1
    return any(first <= at < end for at in negators)


class _Match:
    """Backtracking over a template's pieces; each piece yields the positions it can end at."""

    def __init__(
        self,
        tokens: Sequence[Token],
        ends: dict[str, dict[int, list[int]]],
        *,
        referring: bool,
        text: str,
    ) -> None:
        self.tokens = tokens
        self.count = len(tokens)
        self.ends = ends
        self.referring = referring
        # a sentence starts at the first word, after a full stop, and inside an opening
        # quotation mark or after a colon: `Posts like "kill all ..."`
        self.sentence_starts = {
            i for i, token in enumerate(tokens)
            if i == 0 or tokens[i - 1].sentence != token.sentence
            or _OPENING.search(text, tokens[i - 1].end, token.start)
        }  # fmt: skip

    def starts(self, piece: Piece) -> Iterable[int]:
        """Where a template whose first piece is `piece` can start."""
        kind, name = piece
        if kind == "slot" and name not in _TARGETS:
            return sorted(self.ends[name])
        if kind == "slot":
            lists = ["lead", "noun", "adjective", "pronoun", "person", "party"]
            return sorted({at for n in lists for at in self.ends[n]})
        if kind == "start":
            return sorted(self.sentence_starts)
        return range(self.count)

    def run(self, pieces: tuple[Piece, ...], index: int, at: int, sentence: int) -> Iterator[int]:
        if index == len(pieces):
            yield at
            return
        kind, name = pieces[index]
        for after in self._piece(kind, name, at, sentence):
            yield from self.run(pieces, index + 1, after, sentence)

    def _same(self, at: int, sentence: int) -> bool:
        return at < self.count and self.tokens[at].sentence == sentence

    def _piece(self, kind: str, name: str, at: int, sentence: int) -> Iterable[int]:
        if kind == "gap":
            return [at + k for k in range(_GAP + 1) if k == 0 or self._same(at + k - 1, sentence)]
        if kind == "fill":
            return self._repeat("fillers", at, sentence, _FILL)
        if kind == "start":
            return [at] if at in self.sentence_starts else []
        if kind == "end":
            return [at] if not self._same(at, sentence) else []
        if name in _TARGETS:
            return self._target(name, at, sentence)
        return self._found(name, at, sentence)

    def _found(self, name: str, at: int, sentence: int) -> list[int]:
        if not self._same(at, sentence):
            return []
        return self.ends[name].get(at, [])

    def _repeat(self, name: str, at: int, sentence: int, most: int) -> list[int]:
        reach = [at]
        frontier = [at]
        for _ in range(most):
            frontier = [e for p in frontier for e in self._found(name, p, sentence)]
            if not frontier:
                break
            reach.extend(frontier)
        return reach

    def _target(self, name: str, at: int, sentence: int) -> list[int]:
        if name == "adjective":
            return self._found("adjective", at, sentence)
        out: list[int] = []
        for begin in self._repeat("lead", at, sentence, _LEAD):
            if name in ("group", "target"):
                out.extend(self._found("noun", begin, sentence))
                for middle in self._found("adjective", begin, sentence):
                    out.extend(self._found("people", middle, sentence))
                if self.referring:
                    out.extend(self._found("pronoun", begin, sentence))
            if name in ("person", "target"):
                out.extend(self._found("person", begin, sentence))
            if name == "party":
                out.extend(self._found("party", begin, sentence))
        return sorted(set(out), reverse=True)  # the longest reading first
