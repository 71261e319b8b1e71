"""How well the checker generalises: per-rule precision and recall, false positives
and misses, on the shipped examples and on the regression sets.

    .venv/bin/python benchmarks/checker_accuracy.py [FILE.jsonl ...]

Run by hand; it prints figures and never fails. A case is *right* when its verdict is
one of `accept` and every rule in `rules` is among the findings. Per-rule figures
count a rule as expected when the case lists it, and as found when the checker raises
it at warn or block (info findings never change a verdict, so they are not counted).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from guidance.checker.checker import Checker  # noqa: E402

# The shipped examples are kept as a copy in tests/data, so a clean clone has them.
DEFAULT_FILES = [
    ROOT / "tests" / "data" / "policy-examples.jsonl",
    *sorted((ROOT / "tests" / "data").glob("checker_regression*.jsonl")),
]


def _cases(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _evaluate(checker: Checker, path: Path) -> None:
    cases = _cases(path)
    expected: Counter[str] = Counter()
    found: Counter[str] = Counter()
    both: Counter[str] = Counter()
    false_alarms: list[str] = []
    missed_blocks: list[str] = []
    other_misses: list[str] = []
    right = 0
    for case in cases:
        report = checker.check(case["text"])
        raised = {f.rule for f in report.findings if str(f.severity) in ("warn", "block")}
        wanted = set(case["rules"])
        for rule in wanted:
            expected[rule] += 1
        for rule in raised:
            found[rule] += 1
        for rule in wanted & raised:
            both[rule] += 1
        verdict = str(report.verdict)
        ok = verdict in case["accept"] and wanted <= report.rules()
        right += ok
        if ok:
            continue
        shown = ", ".join(
            f"{f.rule}/{f.severity} {case['text'][f.start : f.end]!r}" for f in report.findings
        )
        line = f"  {case['id']} [{case['tag']}] want {'/'.join(case['accept'])}"
        line += f" {sorted(wanted) or ''} got {verdict}: {case['text'][:90]!r}  <- {shown}"
        if "pass" in case["accept"] and case["verdict"] == "pass":
            false_alarms.append(line)
        elif case["verdict"] == "block":
            missed_blocks.append(line)
        else:
            other_misses.append(line)
    print(f"\n== {path.name}: {right}/{len(cases)} right ({100 * right / len(cases):.1f}%)")
    print(f"{'rule':16} {'expected':>8} {'found':>6} {'precision':>9} {'recall':>7}")
    for rule in sorted(set(expected) | set(found)):
        precision = both[rule] / found[rule] if found[rule] else float("nan")
        recall = both[rule] / expected[rule] if expected[rule] else float("nan")
        print(f"{rule:16} {expected[rule]:8} {found[rule]:6} {precision:9.2f} {recall:7.2f}")
    clean = [c for c in cases if c["verdict"] == "pass"]
    print(f"false positives (clean/trap given warn or block): {len(false_alarms)}/{len(clean)}")
    print("\n".join(false_alarms))
    print(f"missed or wrong blocks: {len(missed_blocks)}")
    print("\n".join(missed_blocks))
    print(f"other misses (warn-level): {len(other_misses)}")
    print("\n".join(other_misses))


def main() -> None:
    checker = Checker()
    files = [Path(arg) for arg in sys.argv[1:]] or DEFAULT_FILES
    for path in files:
        if path.exists():
            _evaluate(checker, path)
        else:
            print(f"\n== {path}: not there, skipped")


if __name__ == "__main__":
    main()
