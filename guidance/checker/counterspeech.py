"""Hate that is quoted or reported in order to condemn it, and words read in their innocent sense.

Counter-speech ("stop calling refugees vermin", `How can you say "..."?`) goes to the
editors with a warning of its own instead of being blocked: they decide. A quotation
counts only when the post condemns it; a bare quote still blocks. A homonym ("faggots
and gravy", "my labrador bitch", "nipped out for a fag") never blocks when its sentence
shows the innocent reading. All the phrases involved live in the checker's one word
index (guidance.checker.lexicon), so reading a post costs no extra scan.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from guidance.checker.lexicon import Hit, Lexicon, Tag
from guidance.checker.spans import NO_SPANS, Spans
from guidance.checker.tokens import MASKED, Token
from guidance.policy import CounterSpeech

_QUOTES = re.compile(
    r"\"[^\"\n]{2,400}\"|“[^”\n]{2,400}”|(?<![\w'’])['‘][^'‘’\n]{2,400}['’](?![\w'’])"
)
MARKER: Tag = ("counter", "marker")
AFFIRMING: Tag = ("counter", "affirming")
CONDEMNATION: Tag = ("counter", "condemnation")


def quotations(text: str) -> Spans:
    """The spans of `text` between quotation marks (straight, curly or single)."""
    spans = [m.span() for m in _QUOTES.finditer(text)]
    return Spans(spans) if spans else NO_SPANS


@dataclass(frozen=True, slots=True)
class Reading:
    """What the post around a finding shows: reported to condemn it, or meant."""

    markers: list[Token]  # where a reporting marker ("stop calling") starts
    markers_at: list[int]
    condemned: bool  # the post condemns something somewhere
    quoted: Spans  # quotations in the original text

    def condemns(self, tokens: Sequence[Token], *, first: int, start: int, end: int) -> bool:
        """Is the finding from token `first` (original span `start`-`end`) counter-speech?
        Quoted: the finding, or the words it ends on (`was called "Tory scum"`)."""
        if (self.condemned or self.markers) and self.quoted.covers(max(start, end - 1), end):
            return True
        sentence = tokens[first].sentence
        return any(
            at <= first and marker.sentence == sentence
            for at, marker in zip(self.markers_at, self.markers, strict=True)
        )


class CounterSpeechReader:
    def __init__(
        self, spec: CounterSpeech | None, homonyms: dict[str, list[str]], *, lexicon: Lexicon
    ) -> None:
        self.message = spec.message if spec else ""
        self.suggestion = spec.suggestion if spec else ""
        self.rules = frozenset(spec.rules) if spec else frozenset()
        if spec:
            for tag, phrases in (
                (MARKER, spec.markers),
                (AFFIRMING, spec.affirming),
                (CONDEMNATION, spec.condemnations),
            ):
                for phrase in phrases:
                    lexicon.add(phrase, tag)
        self._homonyms = frozenset(word.lower() for word in homonyms)
        for word, context in homonyms.items():
            for phrase in context:
                lexicon.add(phrase, ("homonym", word.lower()))

    def read(self, tokens: Sequence[Token], hits: dict[Tag, list[Hit]], text: str) -> Reading:
        # a word masked with stars ("s***") fits "stop", "said" and "shame" as well as the
        # insult it hides: it is never the marker or the condemnation that excuses itself
        def written(hit: Hit) -> bool:
            return all(t.kind != MASKED for t in tokens[hit.first : hit.last + 1])

        affirmed = {hit.last + 1 for hit in hits.get(AFFIRMING, ()) if written(hit)}
        at = sorted(
            {
                hit.first
                for hit in hits.get(MARKER, ())
                if hit.first not in affirmed and written(hit)
            }
        )
        condemned = any(map(written, hits.get(CONDEMNATION, ())))
        quoted = quotations(text) if condemned or at else NO_SPANS
        return Reading([tokens[i] for i in at], at, condemned, quoted)

    def innocent(
        self, tokens: Sequence[Token], hits: dict[Tag, list[Hit]], *, first: int, last: int
    ) -> bool:
        """Is a homonym among tokens `first`-`last`, in a sentence that shows its innocent
        reading ("faggots" with "gravy", "bitch" with "puppies")?"""
        for token in tokens[first : last + 1]:
            for form in token.forms:
                for word in (form, form[:-1], form[:-2]):
                    if word in self._homonyms:
                        context = hits.get(("homonym", word), ())
                        if any(tokens[h.first].sentence == token.sentence for h in context):
                            return True
        return False
