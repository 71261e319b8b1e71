"""Properties that hold for any input: no crash, spans inside the text and on the offending
words, and allow-listed names never change a verdict."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guidance.checker.checker import Checker
from guidance.checker.lexicon import _tokenised, phrase_words
from guidance.checker.report import Severity, Verdict

CHECKER = Checker()

CLEAN_WORDS = [
    "our", "councillors", "will", "be", "at", "the", "library", "on", "Saturday", "thank",
    "you", "to", "everyone", "who", "joined", "canvass", "in", "Godmanchester", "housing",
    "matters", "for", "families", "bus", "routes", "school", "new", "community", "centre",
    "petition", "crossing", "St", "Neots", "Huntingdon", "residents", "support", "local",
]  # fmt: skip
CLEAN_POSTS = [
    "Thank you to everyone who joined our canvass in Godmanchester this morning!",
    "Our councillors are holding a drop-in surgery at St Neots library on Saturday.",
    "The Conservative council's budget cuts youth services again. Here's our alternative.",
    "Free bike repair workshop this Sunday at the Huntingdon community centre.",
    "Drug and alcohol support services need proper funding. We'll keep pushing for it.",
    "Holocaust Memorial Day: we remember all victims of Nazi persecution.",
    "We don't agree with the Lib Dems on everything, but we welcome their support.",
]
PLACES = [
    "Scunthorpe", "Penistone", "Cockermouth", "Clitheroe", "Essex", "Sussex", "Middlesex",
    "Cockfosters", "Twatt", "Bitchfield", "Shitterton", "Dick Whittington", "Matt Hancock",
]  # fmt: skip
OFFENSIVE = ["scum", "idiot", "wanker", "crap", "bollocks", "twat", "moron", "arsehole"]
DISGUISES = {
    "plain": lambda w: w,
    "upper": str.upper,
    "spaced": " ".join,
    "dotted": ".".join,
    "hyphens": "-".join,
    "masked": lambda w: w[0] + "*" + w[2:] if w[1] in "aeiou" else w[:2] + "*" + w[3:],
    "leet": lambda w: w.replace("o", "0").replace("i", "1"),
    "stretched": lambda w: w[:2] + w[2] * 4 + w[3:],
    "cyrillic": lambda w: w.replace("c", "\u0441").replace("o", "\u043e"),
    "zero-width": lambda w: w[:2] + "\u200b" + w[2:],
}
clean_sentence = st.lists(st.sampled_from(CLEAN_WORDS), min_size=0, max_size=12).map(" ".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_no_input_raises_and_spans_lie_inside(text: str) -> None:
    report = CHECKER.check(text)
    assert report.verdict in set(Verdict)
    for finding in report.findings:
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.guidance and finding.message


# The characters disguises are made of, to stress the tokeniser's edge cases.
TRICKY = "sScCuUmMtToOrRyYfFkK aei *.-_/@$013457!#|'\u200b\u00ad\u0441\u0455\uff53\n:?"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=TRICKY, max_size=200))
def test_disguise_characters_never_break_it(text: str) -> None:
    report = CHECKER.check(text)
    for finding in report.findings:
        assert 0 <= finding.start < finding.end <= len(text)
        marked = text[finding.start : finding.end]
        assert marked.strip(), (text, finding)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400).map(lambda t: t * 3))
def test_repeated_unicode_is_handled(text: str) -> None:
    for finding in CHECKER.check(text).findings:
        assert 0 <= finding.start < finding.end <= len(text)


@settings(max_examples=300, deadline=None)
@given(
    before=clean_sentence,
    after=clean_sentence,
    word=st.sampled_from(OFFENSIVE),
    disguise=st.sampled_from(sorted(DISGUISES)),
)
def test_spans_point_at_the_offending_words(
    before: str, after: str, word: str, disguise: str
) -> None:
    planted = DISGUISES[disguise](word)
    prefix = f"{before} " if before else ""
    text = f"{prefix}{planted} {after}".rstrip()
    start, end = len(prefix), len(prefix) + len(planted)
    report = CHECKER.check(text)
    assert report.verdict is Verdict.BLOCK, (text, report)
    blocking = [f for f in report.findings if f.severity is Severity.BLOCK]
    assert any(f.start <= start and end <= f.end for f in blocking), (
        text,
        [text[f.start : f.end] for f in blocking],
    )
    for finding in blocking:
        # it marks the planted word, not the clean words around it
        marked = text[finding.start : finding.end]
        assert finding.start < end and start < finding.end, (text, marked)


@settings(max_examples=300, deadline=None)
@given(
    post=st.sampled_from(CLEAN_POSTS),
    place=st.sampled_from(PLACES),
    where=st.integers(min_value=0, max_value=40),
    joiner=st.sampled_from([" ", " in ", ", ", " from ", " and "]),
)
def test_adding_an_allowed_place_never_changes_the_verdict(
    post: str, place: str, where: int, joiner: str
) -> None:
    words = post.split(" ")
    cut = where % (len(words) + 1)
    text = " ".join([*words[:cut], joiner.strip() or place, place, *words[cut:]]).replace("  ", " ")
    assert CHECKER.check(text).verdict is CHECKER.check(post).verdict, text


@pytest.mark.parametrize("place", PLACES)
def test_every_allowed_place_is_fine_on_its_own(place: str) -> None:
    assert CHECKER.check(f"Greetings from {place}!").verdict is Verdict.PASS


@given(st.from_regex(r"[a-z]{1,12}( [a-z]{1,12}){0,3}", fullmatch=True))
def test_a_plain_phrase_is_read_as_the_tokeniser_reads_it(phrase: str) -> None:
    # The lexicon's shortcut for plain phrases must give what the tokeniser gives.
    assert phrase_words(phrase) == _tokenised(phrase)
