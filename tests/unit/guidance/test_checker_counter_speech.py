"""Hate quoted or reported to condemn it is a warning with its own message; a bare quote
still blocks; a homonym in its innocent sense never blocks."""

from __future__ import annotations

import pytest

from guidance.checker.checker import Checker
from guidance.checker.report import Severity, Verdict


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


def _counter_message(checker: Checker) -> str:
    spec = checker.policy.counter_speech
    assert spec is not None
    return spec.message


@pytest.mark.parametrize(
    "text",
    [
        'How can you say "women are disgusting" and not realise that is hateful?',
        "Stop calling refugees vermin. They are people fleeing war.",
        "I never said that Muslims are scum.",
        "It's not okay to call disabled people retards.",
        "Calling gay people a disease is a horrible thing to do.",
        'Posts like "kill all immigrants" get reported to the police.',
    ],
)
def test_counter_speech_is_a_warning_with_its_own_message(checker: Checker, text: str) -> None:
    report = checker.check(text)
    assert report.verdict is Verdict.WARN, report
    warned = [f for f in report.findings if f.severity is Severity.WARN]
    assert any(f.message == _counter_message(checker) for f in warned), warned
    # the finding keeps the rule it would have blocked under: no new rule id
    assert {f.rule for f in warned} <= {"abuse", "slur", "discrimination", "criminal", "opponent"}


@pytest.mark.parametrize(
    "text",
    [
        "Someone called me a paki today and I reported it. Disgusting.",
        "Stop calling refugees vermin. They are people fleeing war.",
    ],
)
def test_quoted_words_get_advice_that_fits_a_quotation(checker: Checker, text: str) -> None:
    """Not the rule's own "Remove the word": the post means to condemn the words."""
    spec = checker.policy.counter_speech
    assert spec is not None and spec.suggestion
    warned = [f for f in checker.check(text).findings if f.message == spec.message]
    assert warned
    for finding in warned:
        assert finding.suggestion == spec.suggestion
        assert "condemn" in finding.suggestion and "asterisks" in finding.suggestion
        assert "Remove the word" not in finding.suggestion


@pytest.mark.parametrize(
    "text",
    [
        'Someone sprayed "Jews out" on the war memorial. We condemn this antisemitism.',
        'A man shouted "go back to Pakistan" at our councillor. This racist abuse was reported.',
        "Threatening to kill trans people will get you thrown in jail.",
        "It's disheartening to see people call for the death of trans people.",
        "Reform's candidate said migrants are swarming in. That language dehumanises people.",
        "Our candidate was called a paki on the doorstep. We have reported it to the police.",
    ],
)
def test_reported_hate_is_never_blocked(checker: Checker, text: str) -> None:
    assert checker.check(text).verdict is not Verdict.BLOCK, checker.check(text)


@pytest.mark.parametrize(
    "text",
    [
        '"Women are disgusting"',
        'My new slogan: "refugees are vermin".',
        "As I always say, immigrants are vermin.",
        'I\'m just saying "gypsies are thieves", everyone knows it.',
    ],
)
def test_a_quote_not_framed_as_condemnation_still_blocks(checker: Checker, text: str) -> None:
    assert checker.check(text).verdict is Verdict.BLOCK


@pytest.mark.parametrize(
    "text",
    [
        "Let me be clear: I don't hate Muslims.",
        "We would never hurt any disabled person.",
        "No trans person deserves to die.",
        "Black lives are not worth any less than anyone else's.",
    ],
)
def test_negated_hate_passes(checker: Checker, text: str) -> None:
    assert checker.check(text).verdict is Verdict.PASS, checker.check(text)


@pytest.mark.parametrize(
    "text",
    [
        "Faggots, mash and onion gravy at the Ramsey community lunch on Tuesday.",
        "She bought some faggots at the butcher.",
        "Bring a faggot of sticks for the bonfire at the allotments.",
        "Our labrador bitch had six puppies, all now rehomed.",
        "The bitch won first place at the dog show.",
        "Nipped out for a fag and missed the start of the meeting.",
        "Twenty fags cost over fifteen quid now. No wonder people are quitting.",
        "The dyke along the fen needs repairs before winter floods.",
        "It was a queer sort of meeting, nobody seemed to know the agenda.",
        "Get the garden hoe out, it's weeding day at the community garden.",
    ],
)
def test_the_innocent_reading_of_a_homonym_never_blocks(checker: Checker, text: str) -> None:
    assert checker.check(text).verdict is not Verdict.BLOCK, checker.check(text)


@pytest.mark.parametrize(
    "text",
    [
        "You're a faggot.",
        "Typical fag behaviour.",
        "Shut up, you stupid bitch.",
        "She's a dyke, ignore her.",
        "Just another common queer.",
    ],
)
def test_the_offensive_reading_still_blocks(checker: Checker, text: str) -> None:
    assert checker.check(text).verdict is Verdict.BLOCK
