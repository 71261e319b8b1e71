"""Groups as data, frames composed with every group: the same sentence gets the same
verdict whoever it is about, and threats against a person or an official are criminal."""

from __future__ import annotations

import pytest
import yaml

from guidance.checker.checker import Checker
from guidance.checker.report import Severity, Verdict
from guidance.policy import load_policy, parse_policy


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


# One group per characteristic in the NEC statement, and more than HateCheck's seven.
GROUPS = [
    "women",
    "men",
    "Muslims",
    "Jews",
    "Hindus",
    "Sikhs",
    "Christians",
    "black people",
    "Asians",
    "gypsies",
    "travellers",
    "refugees",
    "asylum seekers",
    "Poles",
    "immigrants",
    "pensioners",
    "the elderly",
    "gay people",
    "lesbians",
    "bisexual people",
    "trans people",
    "trans women",
    "non-binary people",
    "disabled people",
    "wheelchair users",
    "autistic people",
    "deaf people",
]

# (frame, sentence with {g} for the group, the rule that must block it)
HATEFUL = [
    ("violence", "I want to kill all {g}.", "criminal"),
    ("violence", "Death to {g}.", "criminal"),
    ("violence", "{g} should all be hanged.", "criminal"),
    ("violence", "We would be better off if {g} were wiped out.", "criminal"),
    ("hatred", "I really despise {g}.", "discrimination"),
    ("hatred", "{g} make me sick.", "discrimination"),
    ("dehumanising", "{g} are vermin.", "discrimination"),
    ("dehumanising", "{g} are nothing but parasites.", "discrimination"),
    ("attributes", "{g} are disgusting and lazy.", "discrimination"),
    ("attributes", "Typical of {g} to be that stupid.", "discrimination"),
    ("denial", "{g} have no place in this country.", "discrimination"),
    ("denial", "{g} should not be allowed to vote.", "discrimination"),
]

# the same shapes, said kindly or about something else: never blocked
CLEAN = [
    "I love {g}.",
    "{g} are welcome here.",
    "Our councillor met {g} at the town hall.",
    "{g} deserve respect and dignity.",
    "We will never let {g} be attacked.",
]


@pytest.mark.parametrize(("frame", "sentence", "rule"), HATEFUL)
@pytest.mark.parametrize("group", GROUPS)
def test_every_frame_blocks_for_every_group(
    checker: Checker, frame: str, sentence: str, rule: str, group: str
) -> None:
    text = sentence.format(g=group)
    text = text[0].upper() + text[1:]
    report = checker.check(text)
    assert report.verdict is Verdict.BLOCK, (frame, text)
    assert rule in report.rules(), (frame, text, report.rules())


@pytest.mark.parametrize("sentence", CLEAN)
@pytest.mark.parametrize("group", GROUPS)
def test_kind_words_pass_for_every_group(checker: Checker, sentence: str, group: str) -> None:
    text = sentence.format(g=group)
    assert checker.check(text[0].upper() + text[1:]).verdict is not Verdict.BLOCK, text


@pytest.mark.parametrize(
    "text",
    [
        "The council leader deserves a bullet.",
        "Someone should knife our MP on his way home.",
        "I'm going to kill the planning officer if the library closes.",
        "The mayor should be hanged for this.",
    ],
)
def test_a_threat_against_a_person_or_official_is_criminal(checker: Checker, text: str) -> None:
    report = checker.check(text)
    assert report.verdict is Verdict.BLOCK
    assert "criminal" in report.rules()


@pytest.mark.parametrize(
    "text",
    [
        "The council leader deserves a pay cut, not a bonus.",
        "Our canvassers will shoot a short video on Saturday.",
        "The Nazis murdered six million Jews; we remember them today.",
        "Remembering Srebrenica, where 8,000 Muslim men and boys were killed.",
        "Tory cuts hurt disabled people the most.",
        "We must stop the Tory plan to deport refugees to Rwanda.",
    ],
)
def test_reports_and_policy_talk_about_groups_pass(checker: Checker, text: str) -> None:
    assert checker.check(text).verdict is not Verdict.BLOCK, checker.check(text)


def test_a_party_can_add_a_group_and_every_frame_applies(checker: Checker) -> None:
    assert checker.check("Death to Zoroastrians.").verdict is not Verdict.BLOCK
    source = load_policy().model_dump(mode="json", exclude={"origin"}, exclude_defaults=True)
    source["hate"]["groups"]["religion"]["nouns"].append("zoroastrians")
    extended = Checker(parse_policy(yaml.safe_dump(source), origin="test"))
    assert extended.check("Death to Zoroastrians.").verdict is Verdict.BLOCK
    assert extended.check("Zoroastrians are vermin.").verdict is Verdict.BLOCK


def test_a_frame_names_its_own_message(checker: Checker) -> None:
    (finding,) = [
        f for f in checker.check("Gypsies are vermin.").findings if f.severity is Severity.BLOCK
    ]
    assert "vermin" in finding.message and finding.guidance == "nec-statement"
