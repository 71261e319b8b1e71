"""Every labelled example in ../shared/policy-examples.jsonl gets an accepted verdict
and all its required rule ids.

The shared file beside the repository is the source of truth; tests/data holds a copy
so a clone on its own still runs every example instead of skipping them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from guidance.checker.checker import Checker

SHARED = Path(__file__).resolve().parents[4] / "shared" / "policy-examples.jsonl"
COPY = Path(__file__).resolve().parents[2] / "data" / "policy-examples.jsonl"
EXAMPLES = SHARED if SHARED.exists() else COPY


def _examples() -> list[Any]:
    if not EXAMPLES.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{EXAMPLES} is not there"))]
    lines = EXAMPLES.read_text(encoding="utf-8").splitlines()
    cases = [json.loads(line) for line in lines if line.strip()]
    return [pytest.param(case, id=f"{case['id']}-{case['tag']}") for case in cases]


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


@pytest.mark.parametrize("case", _examples())
def test_example(checker: Checker, case: dict[str, Any]) -> None:
    report = checker.check(case["text"])
    found = [(f.rule, str(f.severity), case["text"][f.start : f.end]) for f in report.findings]
    assert str(report.verdict) in case["accept"], found
    assert set(case["rules"]) <= report.rules(), found


@pytest.mark.parametrize("case", _examples())
def test_example_spans_point_at_words(checker: Checker, case: dict[str, Any]) -> None:
    text = case["text"]
    for finding in checker.check(text).findings:
        assert 0 <= finding.start < finding.end <= len(text)
        marked = text[finding.start : finding.end]
        assert marked == marked.strip(), finding
