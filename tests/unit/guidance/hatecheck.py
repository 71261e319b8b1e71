"""HateCheck (tests/data/hatecheck/), read and scored the way the guidance reads it.

Every hateful case should block. Of the non-hateful ones, profanity blocks anyway (a
party account never swears) and a few functionalities may block (reclaimed slurs, abuse
of one person, of a non-protected group or of an object); the rest are *clean*: at most
a warning. The rules were written from HateCheck's categories and tuned until the floors
held over the whole suite, so it is regression data, not a held-out measurement.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

CASES = Path(__file__).resolve().parents[2] / "data" / "hatecheck" / "test_suite_cases.csv"
MAY_BLOCK = frozenset(
    {"profanity_nh", "slur_reclaimed_nh", "target_indiv_nh", "target_group_nh", "target_obj_nh"}
)
GROUPS = (
    "women",
    "trans people",
    "gay people",
    "black people",
    "disabled people",
    "Muslims",
    "immigrants",
)


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    functionality: str
    text: str
    hateful: bool
    group: str

    @property
    def clean(self) -> bool:
        return not self.hateful and self.functionality not in MAY_BLOCK


def load_cases() -> list[Case]:
    with CASES.open(encoding="utf-8", newline="") as handle:
        return [
            Case(
                id=row["case_id"],
                functionality=row["functionality"],
                text=row["test_case"].strip(),
                hateful=row["label_gold"] == "hateful",
                group=row["target_ident"],
            )
            for row in csv.DictReader(handle)
        ]


@dataclass(frozen=True, slots=True)
class Score:
    hateful_blocked: float
    clean_blocked: float
    by_functionality: dict[str, float]  # share blocked
    by_group: dict[str, float]  # share of hateful cases blocked


def share(flags: Iterable[bool]) -> float:
    values = list(flags)
    return sum(values) / len(values) if values else 0.0


def score(cases: list[Case], blocks: Callable[[str], bool]) -> Score:
    blocked = {case.id: blocks(case.text) for case in cases}
    functionalities = sorted({c.functionality for c in cases})
    return Score(
        hateful_blocked=share(blocked[c.id] for c in cases if c.hateful),
        clean_blocked=share(blocked[c.id] for c in cases if c.clean),
        by_functionality={
            f: share(blocked[c.id] for c in cases if c.functionality == f) for f in functionalities
        },
        by_group={
            g: share(blocked[c.id] for c in cases if c.hateful and c.group == g) for g in GROUPS
        },
    )
