"""Hate that is quoted or reported in order to condemn it, and words read in their innocent sense.

Counter-speech ("stop calling refugees vermin", `How can you say "..."?`) goes to the
editors with a warning of its own instead of being blocked: they decide. A quotation
counts only when the post condemns it; a bare quote still blocks. A homonym ("faggots
and gravy", "my labrador bitch", "nipped out for a fag") never blocks when its sentence
shows the innocent reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from guidance.lexicon import phrase_words
from guidance.policy import CounterSpeech
from guidance.spans import NO_SPANS, Spans
from guidance.stream import SENTENCE, Stream

_QUOTES = re.compile(
    r"\"[^\"\n]{2,400}\"|“[^”\n]{2,400}”|(?<![\w'’])['‘][^'‘’\n]{2,400}['’](?![\w'’])"
)


def _alternatives(phrases: Iterable[str]) -> str:
    words = {
        " ".join(w.replace("'", "") for w in phrase_words(phrase)) for phrase in phrases
    } - {""}
    if not words:
        return "(?!)"
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w))) + ")"


def _words(phrases: Iterable[str]) -> re.Pattern[str]:
    return re.compile(rf"(?<![^ ]){_alternatives(phrases)}(?![^ ])")


def quotations(text: str) -> Spans:
    """The spans of `text` between quotation marks (straight, curly or single)."""
    spans = [m.span() for m in _QUOTES.finditer(text)]
    return Spans(spans) if spans else NO_SPANS


@dataclass(frozen=True, slots=True)
class Reading:
    """What the post around a finding shows: reported to condemn it, or meant."""

    markers: list[int]  # stream word indexes where a reporting marker starts
    condemned: bool  # the post condemns something somewhere
    quoted: Spans  # quotations in the original text

    def condemns(self, stream: Stream, *, word: int, start: int, end: int) -> bool:
        """Is the finding at stream `word` (original span `start`-`end`) counter-speech?"""
        if (self.condemned or self.markers) and self.quoted.covers(start, end):
            return True
        words = stream.text.split(" ")
        for marker in self.markers:
            if marker <= word and SENTENCE not in words[marker:word]:
                return True
        return False


class CounterSpeechReader:
    def __init__(self, spec: CounterSpeech | None, homonyms: dict[str, list[str]]) -> None:
        self.message = spec.message if spec else ""
        self.rules = frozenset(spec.rules) if spec else frozenset()
        self._markers = _words(spec.markers if spec else ())
        affirming = _alternatives(spec.affirming if spec else ())
        self._affirmed = re.compile(rf"(?<![^ ]){affirming} $")
        self._condemnations = _words(spec.condemnations if spec else ())
        self._homonyms = {
            word: _words(context) for word, context in homonyms.items() if context
        }
        self.vocabulary = {
            w.replace("'", "")
            for phrases in ((spec.markers + spec.condemnations) if spec else [], *homonyms.values())
            for phrase in phrases
            for w in phrase_words(phrase)
        }

    def read(self, stream: Stream, text: str) -> Reading:
        markers = []
        for match in self._markers.finditer(stream.text):
            if not self._affirmed.search(stream.text, 0, match.start()):
                markers.append(stream.word_at(match.start()))
        condemned = self._condemnations.search(stream.text) is not None
        return Reading(markers, condemned, quotations(text) if condemned or markers else NO_SPANS)

    def innocent(self, stream: Stream, *, first: int, last: int) -> bool:
        """Is a homonym among stream words `first`-`last`, in a sentence that shows its
        innocent reading?"""
        words = stream.text.split(" ")
        context = None
        for found in words[first : last + 1]:
            context = self._homonyms.get(found)
            if context is None and found.endswith("s"):
                context = self._homonyms.get(found[:-1]) or self._homonyms.get(found[:-2])
            if context is not None:
                break
        if context is None:
            return False
        word = first
        begin = word
        while begin > 0 and words[begin - 1] != SENTENCE:
            begin -= 1
        end = word
        while end + 1 < len(words) and words[end + 1] != SENTENCE:
            end += 1
        sentence = " ".join(words[begin : end + 1])
        return context.search(sentence) is not None
