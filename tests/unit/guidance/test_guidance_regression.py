"""Member questions written fresh, in members' own words, before the lookup was tuned
on them (docs/guidance.md, "How well it answers").

`..._a.jsonl` is what the synonym tuning looked at; `..._b.jsonl` stayed unseen until
that tuning was done. Both are regression data now: the share answered first must not
fall below what it is now.

`..._c.jsonl` was written for the everyday-words work: typos, text-speak, rambling
questions, and questions the guidance has no answer to (`"section": null`, where
"nothing matched" is the right answer, and a confident section a wrong one). A row's
`section` is the id a careful reader would accept, a list of those, or null. A third
of it was set aside unseen until that work was done; it is all regression data now,
each question checked on its own, the known misses strict xfails.

`..._d.jsonl` was written the same way for the work on photos and children (which the
guidance does not cover), sections named by number, gibberish, personal views and
sharing what others posted; its set-aside third is merged in now, and it is checked
like set c. So is `..._e.jsonl`, written for the everyday-words, facts-not-given and
uncovered-matters work (passwords, expenses, profiles, voters, elections).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.unit.guidance.guidance_index import shipped_index

DATA = Path(__file__).resolve().parents[2] / "data"
# (file, questions answered right first: 58 and 33 when frozen, 59 and 35 since the
# everyday-words work, 59 and 38 since set e's)
SETS = [
    ("guidance_questions_regression_a.jsonl", 59),
    ("guidance_questions_regression_b.jsonl", 38),
]

# Questions of set c the lookup gets wrong, labelled honestly rather than relabelled to
# match; strict, so a fix shows up as an unexpected pass to move out of this list.
_SYNONYM = "needs a synonym in the policy file"
KNOWN_MISSES = {
    # no answer in the guidance, but a word of the question is a synonym or a word the
    # guidance uses for something else
    "can i put a resident's name and address in a post about their complaint": (
        "'complaint' and 'address' lead to the advice and the imprint"
    ),
    # the words that carry the meaning are ones the guidance and the synonyms lack
    "can i tell people we'll get the bus route back": f"a promise, not said so: {_SYNONYM}",
    "u allowed 2 post memes?": f"'memes': {_SYNONYM}",
    # the words match, but another section's more
    "should i avoid abbreviations like CLP and NEC in posts": "'NEC' names the NEC statement",
    "someone keeps arguing with me in the comments and i want to put them in their place": (
        "'comments' leads to the principles before 'arguing' to the advice"
    ),
    "who do i complain to about another members posts": "'complain' leads to the advice",
    "can we promote a charity raffle on the page": "'promote' is the imprint's 'promoter'",
    "do i need permision to post": "'approved users' is in three sections' words",
    "can i write about the ward's litter problem from the point of view of people who live "
    "there": "'views' leads to the rules",
    "hi all sorry if this is a daft question but ive just been given access to the facebook "
    "page by sarah and i wanted to post about the tory council cutting the bus service, can i "
    "say theyve abandoned the villages or is that too much?": "'access' leads to who may post",
}


# Set d's misses, the same way: none since the set e work answered the last nine.
KNOWN_MISSES_D: dict[str, str] = {}

# Set e's misses (all but the last were in its set-aside third, unseen while tuning).
KNOWN_MISSES_E = {
    "how should we come across in our posts, serious or chatty": (
        "'come across', 'serious', 'chatty': no word of the voice"
    ),
    "what harm can one bad post do": "'harm' is not 'damage': no word of why",
    "can i forward a chain message on whatsapp that says share with 10 friends": (
        "'share' leads to what the accounts are for, just ahead of the chain messages"
    ),
    "can I claim back the cost of printing leaflets": (
        "'claim' is in the rules' summary; 'cost' is not an expenses word"
    ),
    "shud i use abbreviations like PLP and NEC in posts": "'NEC' names the NEC statement",
    "who manages the logins for our social media accounts": (
        "'login' is a synonym for who may post, just ahead of 'who manages'"
    ),
}


@pytest.mark.parametrize(("name", "floor"), SETS)
def test_fresh_member_questions_stay_answered(name: str, floor: int) -> None:
    rows = [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines()]
    index = shipped_index()
    assert {row["section"] for row in rows} <= index.guidance.ids
    wrong = []
    for row in rows:
        best = index.lookup(row["question"]).best
        if best is None or best.section.id != row["section"]:
            wrong.append((row["question"], best.section.id if best else None, row["section"]))
    assert len(rows) - len(wrong) >= floor, wrong


def _accepted(row: dict[str, Any]) -> set[str | None]:
    section = row["section"]
    return set(section) if isinstance(section, list) else {section}


def _set_c() -> list[Any]:
    return _params("guidance_questions_regression_c.jsonl", KNOWN_MISSES)


def _set_d() -> list[Any]:
    return _params("guidance_questions_regression_d.jsonl", KNOWN_MISSES_D)


def _set_e() -> list[Any]:
    return _params("guidance_questions_regression_e.jsonl", KNOWN_MISSES_E)


def _params(name: str, misses: dict[str, str]) -> list[Any]:
    rows = [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines()]
    params = []
    for row in rows:
        miss = misses.get(row["question"])
        marks = [pytest.mark.xfail(reason=miss, strict=True)] if miss else []
        params.append(pytest.param(row, id=row["question"][:60], marks=marks))
    return params


def test_set_c_is_well_formed() -> None:
    rows = [p.values[0] for p in _set_c()]
    ids = shipped_index().guidance.ids
    assert len(rows) >= 60
    assert all(_accepted(row) - {None} <= ids for row in rows)
    assert sum(1 for row in rows if row["section"] is None) >= 10  # questions with no answer
    assert set(KNOWN_MISSES) <= {row["question"] for row in rows}


def test_set_d_is_well_formed() -> None:
    rows = [p.values[0] for p in _set_d()]
    ids = shipped_index().guidance.ids
    assert len(rows) >= 70
    assert all(_accepted(row) - {None} <= ids for row in rows)
    assert sum(1 for row in rows if row["section"] is None) >= 15
    assert len({row["question"] for row in rows}) == len(rows)
    assert set(KNOWN_MISSES_D) <= {row["question"] for row in rows}


def test_set_e_is_well_formed() -> None:
    rows = [p.values[0] for p in _set_e()]
    ids = shipped_index().guidance.ids
    assert len(rows) >= 80
    assert all(_accepted(row) - {None} <= ids for row in rows)
    assert sum(1 for row in rows if row["section"] is None) >= 15
    assert len({row["question"] for row in rows}) == len(rows)
    assert set(KNOWN_MISSES_E) <= {row["question"] for row in rows}


@pytest.mark.parametrize("row", [*_set_c(), *_set_d(), *_set_e()])
def test_set_c_and_d_question(row: dict[str, Any]) -> None:
    result = shipped_index().lookup(row["question"])
    got = result.best.section.id if result.best else None
    assert got in _accepted(row), [(h.section.id, h.score) for h in result.hits]
    if got is None:
        assert len(result.suggestions) == 3  # "nothing matched" still offers sections
