"""The policy checker: a pure function from a draft post to a report.

    checker = Checker(load_policy())   # compiles the policy once
    report = checker.check(text)       # verdict + findings with spans into `text`

How it reads a post: the allow list is applied to the words as written; the text is
folded (guidance.checker.normalise) and split into tokens that see through disguises
(guidance.checker.tokens); every policy word and phrase is looked up in one index
(guidance.checker.lexicon); then each rule turns its hits into findings.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from guidance.checker import advisories
from guidance.checker.allow import allow_pattern
from guidance.checker.contacts import find_phones
from guidance.checker.counterspeech import CounterSpeechReader, Reading
from guidance.checker.derive import derived_forms
from guidance.checker.frames import Frames
from guidance.checker.lexicon import Hit, Lexicon, Tag
from guidance.checker.misspell import Misspellings
from guidance.checker.nearby import combinations
from guidance.checker.normalise import Folded, fold
from guidance.checker.report import Finding, Report, Severity
from guidance.checker.spans import NO_SPANS, Spans
from guidance.checker.tokens import (
    ALLOWED,
    EMAIL,
    MAX_PIECE,
    MENTION,
    WORD,
    Token,
    camel_parts,
    clause_numbers,
    join_fragments,
    name_positions,
    tokenise,
)
from guidance.policy import NAME_WORD, Near, Policy, Rule, load_policy

_ADVISORIES: dict[str, tuple[Callable[..., Iterator[tuple[int, int]]], float]] = {
    "length": (advisories.too_long, 280),
    "shouting": (advisories.shouting, 0.7),
    "exclamations": (advisories.exclamations, 3),
    "long-sentence": (advisories.long_sentences, 40),
}
_FIRST_WORD = re.compile(r"\w+")
_SAFE_WINDOW = 8  # words before a phone number that can show it belongs to an organisation


@dataclass(frozen=True, slots=True)
class _Draft:
    rule: str
    start: int  # original offsets
    end: int
    sentence: int = -1
    severity: Severity | None = None
    message: str | None = None
    suggestion: str | None = None
    token: int = -1  # the first token it covers, where known
    last_token: int = -1
    negated: bool = False  # "I never said ...": counts only as counter-speech
    framed: bool = False  # found by a frame (guidance.checker.frames)


class Checker:
    """Compiles a policy once; `check` is then cheap and safe to call from many tasks."""

    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy if policy is not None else load_policy()
        self._rules = self.policy.rules
        self._lexicon = Lexicon()
        self._allow = allow_pattern(self.policy.allow)
        self._patterns: list[tuple[str, re.Pattern[str]]] = []
        self._acronyms: re.Pattern[str] | None = None
        self._imprint: list[re.Pattern[str]] = []
        self._election: list[re.Pattern[str]] = []
        self._jargon: dict[str, str] = {}
        self._nears: list[tuple[str, Near, list[Tag]]] = []
        self._name_keys: set[Tag] = set()
        self._replaces = [(r, rule.replaces) for r, rule in self._rules.items() if rule.replaces]
        self._advisories = [
            (rule_id, find, default if rule.limit is None else rule.limit)
            for rule_id, (find, default) in _ADVISORIES.items()
            if (rule := self._rules.get(rule_id)) is not None
        ]
        self._frames = Frames(self.policy.hate, lexicon=self._lexicon)
        self._counter = CounterSpeechReader(
            self.policy.counter_speech, self.policy.homonyms, lexicon=self._lexicon
        )
        self._compile()

    # ------------------------------------------------------------ compiling

    def _compile(self) -> None:
        add = self._lexicon.add
        acronyms: list[str] = []
        derived = self.policy.derived
        innocent = frozenset(w.lower() for w in derived.innocent)
        for rule_id, rule in self._rules.items():
            tag = ("imprint",) if rule_id == "imprint" else ("word", rule_id)
            for word in rule.words:
                add(word, tag)
            for n, near in enumerate(rule.near):
                keys: list[Tag] = [("near", rule_id, n, k) for k in range(len(near.lists))]
                self._nears.append((rule_id, near, keys))
                for key, words in zip(keys, near.lists, strict=True):
                    for word in self._expand(words):
                        if word == NAME_WORD:  # found per post, only when needed
                            self._name_keys.add(key)
                        else:
                            add(word, key)
            for hedge in rule.hedges:
                add(hedge, ("hedge", rule_id))
            for word in rule.safe_words:
                add(word, ("safe",))
            for term, plain in rule.terms.items():
                self._jargon[term.lower()] = plain
                if any(c.isupper() for c in term):
                    acronyms.append(term)
                else:
                    add(term, ("jargon", term.lower()))
            if rule_id == "imprint":  # these mark election material, not findings
                self._election.extend(re.compile(p) for p in rule.patterns)
            else:
                self._patterns.extend((rule_id, re.compile(p)) for p in rule.patterns)
            self._imprint.extend(re.compile(p) for p in rule.imprint_patterns)
        # "scum": scummy, scummiest, scumbag, ... read as the word, with all its tags
        for rule_id in derived.rules:
            for word in dict.fromkeys(self._rules[rule_id].words if rule_id in self._rules else ()):
                for form in derived_forms(word, derived.endings, innocent=innocent):
                    self._lexicon.derive(form, word)
        self._known = frozenset(self._frames.vocabulary)
        spelling = self.policy.misspellings
        blocked = [
            w
            for rule in self._rules.values()
            if rule.severity is Severity.BLOCK
            for w in rule.words
        ]
        listed = blocked + [w for name in spelling.lists for w in self._frames.lists.get(name, ())]
        targets = [w.lower() for w in listed if " " not in w and len(w) >= 4]
        self._lexicon.hide(w for w in targets if w.isalpha())
        # what unevenly spaced pieces may spell: the block rules' own words ("scu m")
        self._spelt = frozenset(w.lower() for w in blocked if w.isalpha() and len(w) >= 4)
        self._spelt_starts = frozenset(w[:k] for w in self._spelt for k in range(1, MAX_PIECE + 1))
        self._misspellings = Misspellings(
            words=targets,
            joiners=spelling.joiners,
            real_words=spelling.real_words,
            known=self._is_known,
        )
        if acronyms:
            alternatives = "|".join(
                re.escape(t).replace(r"\ ", r"\s+") for t in sorted(acronyms, key=len, reverse=True)
            )
            self._acronyms = re.compile(rf"(?<![\w&])(?:{alternatives})(?![\w&])")
        rival = self._rules.get("rival")
        self._handles = frozenset(h.lower().lstrip("@") for h in rival.handles) if rival else set()
        self._handle_words = frozenset(w.lower() for w in rival.handle_words) if rival else set()

    def _expand(self, words: Sequence[str]) -> Iterator[str]:
        for word in words:
            if word.startswith("@") and word != NAME_WORD:
                yield from self._rules[word[1:]].words
            else:
                yield word

    # ------------------------------------------------------------- checking

    def check(self, text: str) -> Report:
        if not isinstance(text, str):
            raise ValueError(f"the text to check must be a string, not {type(text).__name__}")
        if not text.strip():
            return Report()
        names = [m.span() for m in self._allow.finditer(text)] if self._allow else []
        allowed = Spans(names) if names else NO_SPANS
        folded = fold(text)
        tokens = tokenise(folded, original=text, vocabulary=self._lexicon)
        tokens = self._respell(
            join_fragments(
                tokens, folded, text, self._spells, self._spelt_starts, self._lexicon.is_word
            )
        )
        if allowed:
            tokens = [
                _neutral(t) if allowed.overlaps(*folded.span(t.start, t.end)) else t for t in tokens
            ]
        hits: dict[Tag, list[Hit]] = defaultdict(list)
        for hit in self._lexicon.match(tokens):
            hits[hit.tag].append(hit)
        context = _Context(text, folded, tokens, hits, allowed)
        drafts = [
            *self._word_findings(context),
            *self._near_findings(context),
            *self._pattern_findings(context),
            *self._jargon_findings(context),
            *self._contact_findings(context),
            *self._advice(text),
        ]
        if "@" in folded.text:  # @handles and emails are rare: skip the scan otherwise
            drafts += self._rival_findings(context)
            drafts += self._email_findings(context)
        drafts += self._frame_findings(context)
        drafts = self._imprint_findings(context, drafts)
        drafts = self._hedge(context, drafts)
        drafts = self._read_in_context(context, drafts)
        return Report(findings=tuple(self._finish(drafts)))

    def _respell(self, tokens: list[Token]) -> list[Token]:
        """Add the reading of a misspelt word ("klil": kill); split a run-together pair."""
        out: list[Token] = []
        for token in tokens:
            if token.kind != WORD or any(map(self._is_known, token.forms)):
                out.append(token)
                continue
            for form in token.forms:
                read = self._misspellings.read(form)
                if len(read) == 1:
                    forms = token.forms  # a masked form ("sc*m") stays last: see Lexicon.hide
                    if "*" in forms[-1]:
                        token = token._replace(forms=(*forms[:-1], *read, forms[-1]))
                    else:
                        token = token._replace(forms=(*forms, *read))
                    break
                if len(read) == 2 and len(form) == token.end - token.start:
                    cut = token.start + len(read[0])
                    out.append(Token(token.start, cut, (read[0],), token.sentence))
                    token = Token(cut, token.end, (read[1],), token.sentence)
                    break
            out.append(token)
        return out

    def _spells(self, word: str) -> bool:
        """Do pieces run together spell a block rule's word ("scu m", "wan kers")?"""
        spelt = self._spelt
        return word in spelt or (word[-1] == "s" and word[:-1] in spelt)

    def misreads(self, word: str) -> tuple[str, ...]:
        """What the checker would read a lone unknown `word` as ("fukc": fuck), if anything."""
        return self._misspellings.read(word)

    def _is_known(self, word: str) -> bool:
        return word in self._known or self._lexicon.is_word(word)

    def _frame_findings(self, ctx: _Context) -> Iterator[_Draft]:
        """Groups attacked by a frame; a negated frame only where it may be counter-speech."""

        known: list[list[int]] = []

        def clauses() -> list[int]:  # worked out once, on the first match
            if not known:
                known.append(clause_numbers(ctx.tokens, ctx.folded))
            return known[0]

        for hit in self._frames.find(ctx.tokens, ctx.hits, text=ctx.folded.text, clauses=clauses):
            yield replace(
                ctx.draft(hit.rule, hit.first, hit.last),
                message=hit.message or None,
                negated=hit.negated,
                framed=True,
            )

    def _read_in_context(self, ctx: _Context, drafts: list[_Draft]) -> list[_Draft]:
        """Counter-speech softens a block to a warning; an innocent homonym drops it."""
        reading: Reading | None = None
        out = []
        for draft in drafts:
            severity = draft.severity or self._rules[draft.rule].severity
            first = draft.token
            if severity is not Severity.BLOCK or first < 0:
                out.append(draft)
                continue
            last = max(first, draft.last_token)
            if self._counter.innocent(ctx.tokens, ctx.hits, first=first, last=last):
                continue
            if draft.rule in self._counter.rules:
                reading = reading or self._counter.read(ctx.tokens, ctx.hits, ctx.text)
                if reading.condemns(ctx.tokens, first=first, start=draft.start, end=draft.end):
                    draft = replace(
                        draft,
                        severity=Severity.WARN,
                        message=self._counter.message,
                        suggestion=self._counter.suggestion or None,
                        negated=False,
                    )
            if not draft.negated:  # "I would never hurt ...": nothing to report
                out.append(draft)
        return out

    def _word_findings(self, ctx: _Context) -> Iterator[_Draft]:
        for tag, found in ctx.hits.items():
            if tag[0] == "word":
                for hit in found:
                    yield ctx.draft(str(tag[1]), hit.first, hit.last)
            elif tag[0] == "jargon":
                term = str(tag[1])
                for hit in found:
                    yield replace(
                        ctx.draft("jargon", hit.first, hit.last),
                        suggestion=self._jargon_suggestion(term, ctx.text, hit, ctx),
                    )

    def _near_findings(self, ctx: _Context) -> Iterator[_Draft]:
        hits = ctx.hits
        # Only entries with a hit in some list can match: most posts touch very few.
        touched = {tag[1:3] for tag in hits if tag[0] == "near"}
        for rule_id, near, keys in self._nears:
            if keys[0][1:3] not in touched or not all(
                key in hits or key in self._name_keys for key in keys
            ):
                continue
            lists = []
            for key in keys:
                found = hits.get(key, [])
                if key in self._name_keys:
                    found = found + ctx.names(key)
                if not found:
                    break
                lists.append(sorted(found, key=lambda h: h.first))
            else:
                for chosen in combinations(
                    ctx.tokens,
                    lists,
                    within=near.within,
                    ordered=near.ordered,
                    across=near.across_sentences,
                ):
                    first, last = min(h.first for h in chosen), max(h.last for h in chosen)
                    draft = ctx.draft(rule_id, first, last)
                    if near.negatable and self._frames.denies(ctx.hits, chosen):
                        draft = replace(draft, negated=True)
                    yield draft

    def _pattern_findings(self, ctx: _Context) -> Iterator[_Draft]:
        for rule_id, pattern in self._patterns:
            for match in pattern.finditer(ctx.folded.text):
                if match.end() > match.start():
                    start, end = ctx.folded.span(match.start(), match.end())
                    if not ctx.allowed.covers(start, end):
                        yield _Draft(rule_id, start, end, ctx.sentence_at(match.start()))

    def _jargon_findings(self, ctx: _Context) -> Iterator[_Draft]:
        if self._acronyms is None or "jargon" not in self._rules:
            return
        for match in self._acronyms.finditer(ctx.text):
            if not ctx.allowed.covers(*match.span()):
                term = " ".join(match.group().split())
                plain = self._jargon.get(term.lower(), "")
                yield _Draft(
                    "jargon",
                    *match.span(),
                    suggestion=f"Instead of “{term}”, say “{plain}”." if plain else None,
                )

    def _jargon_suggestion(self, term: str, text: str, hit: Hit, ctx: _Context) -> str | None:
        plain = self._jargon.get(term, "")
        start, end = ctx.span(hit.first, hit.last)
        return f"Instead of “{text[start:end]}”, say “{plain}”." if plain else None

    def _contact_findings(self, ctx: _Context) -> Iterator[_Draft]:
        rule = self._rules.get("personal-data")
        if rule is None:
            return
        safe = sorted(h.last for h in ctx.hits.get(("safe",), ()))
        for start, end in find_phones(ctx.folded.text):
            index = ctx.token_at(start)
            nearby = bisect_left(safe, index - _SAFE_WINDOW)
            if nearby < len(safe) and safe[nearby] < index:
                continue  # "call the council office on ..."
            yield _Draft("personal-data", *ctx.folded.span(start, end), ctx.sentence_at(start))

    def _email_findings(self, ctx: _Context) -> Iterator[_Draft]:
        rule = self._rules.get("personal-data")
        if rule is None:
            return
        for i, token in enumerate(ctx.tokens):
            if token.kind == EMAIL:
                name, _, domain = ctx.folded.text[token.start : token.end].partition("@")
                if name in rule.safe_email_names or any(
                    domain == d or domain.endswith("." + d) for d in rule.safe_email_domains
                ):
                    continue
                yield ctx.draft("personal-data", i, i)

    def _rival_findings(self, ctx: _Context) -> Iterator[_Draft]:
        if "rival" not in self._rules:
            return
        for i, token in enumerate(ctx.tokens):
            if token.kind != MENTION:
                continue
            handle = token.forms[0]
            start, end = ctx.span(i, i)
            pieces = camel_parts(ctx.text[start:end])
            parts = {*pieces, *(a + b for a, b in itertools.pairwise(pieces))}
            parts |= set(handle.split("_"))
            if handle in self._handles or parts & self._handle_words:
                yield ctx.draft("rival", i, i)

    def _advice(self, text: str) -> Iterator[_Draft]:
        for rule_id, find, limit in self._advisories:
            for start, end in find(text, limit=limit):
                yield _Draft(rule_id, start, end)

    def _imprint_findings(self, ctx: _Context, drafts: list[_Draft]) -> list[_Draft]:
        """Election material needs an imprint; the imprint's own address is never personal data."""
        triggers = [ctx.span(h.first, h.last) for h in ctx.hits.get(("imprint",), ())]
        for pattern in self._election:
            match = pattern.search(ctx.folded.text)
            if match:
                word = _FIRST_WORD.search(ctx.folded.text, match.start())
                at = word.span() if word else match.span()
                triggers.append(ctx.folded.span(*at))
        if not triggers and not any(d.rule == "personal-data" for d in drafts):
            return drafts
        region = min(
            (ctx.folded.span(m.start(), m.end())[0] for p in self._imprint
             for m in [p.search(ctx.folded.text)] if m),
            default=None,
        )  # fmt: skip
        if region is not None:
            drafts = [d for d in drafts if not (d.rule == "personal-data" and d.start >= region)]
        elif triggers and not self.policy.settings.imprint_in_bio:
            drafts.append(_Draft("imprint", *min(triggers, key=lambda s: (s[0], -s[1]))))
        return drafts

    def _hedge(self, ctx: _Context, drafts: list[_Draft]) -> list[_Draft]:
        """A sourced or hedged allegation ("according to", "charged with") is softened."""
        out = []
        for draft in drafts:
            rule = self._rules[draft.rule]
            hedges = ctx.hits.get(("hedge", draft.rule))
            if (
                hedges
                and not draft.framed  # frames read reports themselves (counter_speech)
                and draft.sentence >= 0
                and any(ctx.tokens[h.first].sentence == draft.sentence for h in hedges)
            ):
                draft = replace(
                    draft, severity=rule.hedged_severity, message=rule.hedged_message or None
                )
            out.append(draft)
        return out

    def _finish(self, drafts: list[_Draft]) -> list[Finding]:
        present = {d.rule for d in drafts}
        replaced = {
            other: Spans((d.start, d.end) for d in drafts if d.rule == rule_id)
            for rule_id, others in self._replaces
            if rule_id in present
            for other in others
            if other in present
        }
        if replaced:
            drafts = [
                d for d in drafts if not replaced.get(d.rule, NO_SPANS).overlaps(d.start, d.end)
            ]
        findings: list[Finding] = []
        for draft in _merge(drafts):
            rule: Rule = self._rules[draft.rule]
            findings.append(
                Finding(
                    rule=draft.rule,
                    severity=draft.severity or rule.severity,
                    start=draft.start,
                    end=draft.end,
                    message=draft.message or rule.message,
                    suggestion=draft.suggestion or rule.suggestion,
                    guidance=rule.guidance,
                )
            )
        return findings


@dataclass(slots=True)
class _Context:
    text: str
    folded: Folded
    tokens: list[Token]
    hits: dict[Tag, list[Hit]]
    allowed: Spans
    _starts: list[int] = field(default_factory=list)
    _names: list[int] | None = None

    def span(self, first: int, last: int) -> tuple[int, int]:
        return self.folded.span(self.tokens[first].start, self.tokens[last].end)

    def draft(self, rule: str, first: int, last: int) -> _Draft:
        return _Draft(
            rule, *self.span(first, last), self.tokens[first].sentence, token=first, last_token=last
        )

    def names(self, key: Tag) -> list[Hit]:
        """Words that look like names, as hits for `key` (worked out once per post)."""
        if self._names is None:
            self._names = name_positions(self.tokens, self.folded, self.text)
        return [Hit(key, i, i) for i in self._names]

    def token_at(self, position: int) -> int:
        if not self._starts:
            self._starts.extend(t.start for t in self.tokens)
        return bisect_left(self._starts, position)

    def sentence_at(self, position: int) -> int:
        index = self.token_at(position)
        if index < len(self.tokens):
            return self.tokens[index].sentence
        return self.tokens[-1].sentence if self.tokens else 0


def _merge(drafts: list[_Draft]) -> list[_Draft]:
    """One finding per rule per stretch of text, in the order they appear."""
    out: list[_Draft] = []
    for draft in sorted(drafts, key=lambda d: (d.rule, d.start, d.end)):
        last = out[-1] if out else None
        if last is not None and (last.rule, last.start, last.end) == (
            draft.rule,
            draft.start,
            draft.end,
        ):
            if last.message is None and draft.message is not None:  # a frame's own words
                out[-1] = replace(last, message=draft.message)
            continue  # two entries on the same words ("comrade", "comrades"): one finding
        if (
            last is not None
            and last.rule == draft.rule
            and draft.start < last.end
            and last.severity == draft.severity
            and draft.rule != "jargon"
        ):
            out[-1] = replace(
                last, end=max(last.end, draft.end), message=last.message or draft.message
            )
        else:
            out.append(draft)
    return sorted(out, key=lambda d: (d.start, d.end, d.rule))


def _neutral(token: Token) -> Token:
    return Token(token.start, token.end, (), token.sentence, ALLOWED)
