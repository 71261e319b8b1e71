"""Derived forms of an insult ("scummy", "shittiest", "scumfaced") are read as the
insult; words that merely share letters with one ("prickly", "sheepish") are not."""

from __future__ import annotations

import pytest

from guidance.checker.checker import Checker
from guidance.checker.derive import derived_forms
from guidance.checker.report import Verdict


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


@pytest.mark.parametrize(
    ("word", "ending", "forms"),
    [
        ("scum", "y", {"scummy", "scumy"}),
        ("scum", "iest", {"scummiest", "scumiest"}),
        ("scum", "bag", {"scumbag"}),
        ("shitty", "iest", {"shittiest"}),
        ("arse", "y", {"arsy", "arsey"}),
        ("bitch", "y", {"bitchy"}),
        ("scumbag", "y", {"scumbaggy", "scumbagy"}),
    ],
)
def test_english_spelling_of_endings(word: str, ending: str, forms: set[str]) -> None:
    assert set(derived_forms(word, [ending], innocent=frozenset())) == forms


def test_innocent_forms_and_short_or_phrase_words_are_not_derived() -> None:
    assert list(derived_forms("bastard", ["y"], innocent=frozenset({"bastardy"}))) == []
    assert list(derived_forms("kys", ["y"], innocent=frozenset())) == []
    assert list(derived_forms("shut up", ["y"], innocent=frozenset())) == []


@pytest.mark.parametrize(
    "text",
    [
        "Tories are scummy.",
        "Shittiest government in history, these Tories.",
        "Scumfaced Tories lining up for the cameras.",
        "What a scumbaggy thing for the Lib Dems to do.",
        "That Tory councillor is so bitchy to residents.",
    ],
)
def test_derived_insults_block(checker: Checker, text: str) -> None:
    assert checker.check(text).verdict is Verdict.BLOCK


@pytest.mark.parametrize(
    "text",
    [
        "Our prickly pear cactus won a prize at the St Neots flower show!",
        "A sheepish grin from the mayor after losing the pie-eating contest.",
        "The cocky young striker scored twice for St Ives Town.",
        "Ratty the water vole is back at Hinchingbrooke Country Park.",
        "Arsenal fans, join us for the charity match screening.",
        "Scunthorpe United fans welcome at the community quiz tonight.",
    ],
)
def test_words_sharing_a_stem_pass(checker: Checker, text: str) -> None:
    assert checker.check(text).verdict is Verdict.PASS
