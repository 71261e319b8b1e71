"""The regression posts in tests/data/checker_regression*.jsonl each get an accepted
verdict and all their required rules. Each was written before the tuning it served
(`_f` is the fresh set of 5 December's group and frame work, `_h` the threats to
people, abuse and counter-speech of 6 December), but the checker has
since been tuned on them all, so they guard against regressions only.

`benchmarks/checker_accuracy.py` prints the same cases as per-rule precision and recall.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from guidance.checker.checker import Checker

DATA = Path(__file__).resolve().parents[2] / "data"

# Cases the checker is known to get wrong, kept labelled honestly rather than relabelled
# to match; strict, so a fix shows up as an unexpected pass to move out of this list.
KNOWN_GAPS = {
    # a rival politician's personal @handle: only the party can list its local rivals'
    # handles in policy.yaml (rival: handles), the checker cannot tell them from allies'
    "e194": "a rival's personal handle the policy does not list",
    # street names that are everyday words ("bud", "brown", "spice", "plug"), with no
    # dealer's word the policy knows beside them: listing them would flag gardens,
    # kitchens and hardware
    "f149": "weed delivered by the bag, with no dealer's word the policy lists",
    "g004": "asking for a plug for some bud",
    "g006": "crack and brown with discreet drop-offs",
    "g010": "spice offered with hit me up",
    "g011": "spliffs offered to share, with no dealer's word",
    # a chain message whose bait is ordinary words ("share this", "giving away")
    "f155": "a chain message promising money for sharing",
    "g020": "a chain message promising supermarket vouchers for sharing",
    # threats made of everyday words: "waiting outside your surgery", "isn't safe while ..."
    # (the same words campaign for a safe crossing or invite people to a street stall)
    "t005": "waiting outside an office, a threat only by its tone",
    "t011": "a family 'isn't safe while' someone votes a way",
    # "no more X in <town>": the town is a name the checker does not know as a place
    "t037": "not wanting more of a group in a named town",
    # counter-speech the near rules cannot read: a report after the hate, a denial of it
    "t150": "a report ('were told to ...') after the hateful words, then 'Shameful.'",
    # a disclaimer before the slur ("nobody will say it, but") reads as counter-speech
    "i025": "'nobody will say it, but' before a generalisation softens it to a warning",
    # a bare "D I E" (spaced "die" is everyday elsewhere)
    "t189": "a bare spaced-out 'D I E'",
    # literal scum (on a pond, in a drain) is the same word as the insult
    "l017": "literal scum on a pond",
    "l021": "a literally scummy drain",
    # "dunce" is an insult wherever it is, even in "dunce-cap" history
    "l024": "a dunce's cap in a history talk",
    # "our candidate" marks election material, even in a light-hearted post
    "l018": "a fun post naming our candidate gets the imprint warning",
    # "class" is on the allow list (it holds "ass"), so "lower class pigs" is not read
    "o015": "'lower class' before a dehumanising word",
    # set p's set-aside third, measured once after the work (docs/policy.md): a person
    # "won't be walking" or "won't be leaving in one piece" after they turn up or vote
    # (the same words say who walks a route or leaves a meeting)
    "p001": "'he won't be walking anywhere for a while' after a vote",
    "p052": "'she won't be leaving in one piece' if she turns up",
    # "defective" is no word the policy lists for people ("a defective boiler")
    "p024": "autistic children called defective and a waste of money",
    # "the address of that Tory councillor" then "pay him a visit": the address is
    # found (a warning) but the visit is only read beside "his address"
    "p057": "a councillor's address with 'pay him a visit, lads'",
    # disguises set q found and left: a letter drawn with two symbols ("|<" for k), a
    # vowel changed for another ("F🅾ck": reading o as u would turn "fock", "bock" and
    # "tock" into other words), and threats or hate in wordings the rules do not know
    # yet (the wording work is another branch's)
    "q008": "'|<' drawn for a k",
    "q042": "'o' written for 'u' in a swear word ('F🅾️ck')",
    "q044": "'put a gun to your head': the idiom is everyday, the gun may be an emoji",
    "q048": "'go back to Africa' with 'you apes' said to people",
}


def _cases() -> list[Any]:
    params = []
    for path in sorted(DATA.glob("checker_regression*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                gap = KNOWN_GAPS.get(case["id"])
                marks = [pytest.mark.xfail(reason=gap, strict=True)] if gap else []
                params.append(pytest.param(case, id=f"{case['id']}-{case['tag']}", marks=marks))
    return params


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


@pytest.mark.parametrize("case", _cases())
def test_regression_case(checker: Checker, case: dict[str, Any]) -> None:
    report = checker.check(case["text"])
    found = [(f.rule, str(f.severity), case["text"][f.start : f.end]) for f in report.findings]
    assert str(report.verdict) in case["accept"], found
    assert set(case["rules"]) <= report.rules(), found
