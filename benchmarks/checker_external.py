"""How the checker does on HateCheck, a suite nobody on the project wrote, beside two
ready-made filters: better-profanity 0.7 and alt-profanity-check.

Run by hand (needs the bench extra: `.venv/bin/pip install -e '.[bench]'`):

    .venv/bin/python benchmarks/checker_external.py

Prints the share of cases each one blocks (postgate: a block verdict; the filters:
flagged), per HateCheck functionality and per target group, then the totals against
the floors that tests/unit/guidance/test_checker_hatecheck.py asserts. HateCheck is
regression data for postgate: its rules were written from HateCheck's categories and
tuned until the floors held, so these figures are not a held-out measurement.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from guidance.checker.checker import Checker  # noqa: E402
from guidance.checker.report import Verdict  # noqa: E402
from tests.unit.guidance.hatecheck import GROUPS, Case, load_cases, share  # noqa: E402

Blocks = Callable[[list[str]], list[bool]]


def postgate() -> Blocks:
    checker = Checker()
    return lambda texts: [checker.check(t).verdict is Verdict.BLOCK for t in texts]


def better_profanity() -> Blocks | str:
    try:
        from better_profanity import profanity
    except ImportError as exc:
        return f"not installed ({exc.name})"
    profanity.load_censor_words()
    return lambda texts: [bool(profanity.contains_profanity(t)) for t in texts]


def alt_profanity_check() -> Blocks | str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from profanity_check import predict
    except ImportError as exc:
        return f"not installed ({exc.name})"
    return lambda texts: [bool(flag) for flag in predict(texts)]


def main() -> None:
    cases = load_cases()
    texts = [c.text for c in cases]
    columns: dict[str, dict[str, bool]] = {}
    for name, make in (
        ("postgate", postgate),
        ("better-profanity", better_profanity),
        ("alt-profanity-check", alt_profanity_check),
    ):
        made = make()
        if isinstance(made, str):
            print(f"{name}: {made}; its column is left out")
            continue
        columns[name] = dict(zip((c.id for c in cases), made(texts), strict=True))

    def row(label: str, chosen: list[Case]) -> str:
        cells = "".join(
            f"{share(blocked[c.id] for c in chosen):>21.1%}" for blocked in columns.values()
        )
        return f"{label:34}{len(chosen):>6}{cells}"

    head = f"{'':34}{'cases':>6}" + "".join(f"{name:>21}" for name in columns)
    print(f"HateCheck, {len(cases)} cases: share blocked\n")
    print("By functionality (h = hateful: should block; nh = not hateful)")
    print(head)
    for functionality in sorted({c.functionality for c in cases}, key=_functionality_order):
        chosen = [c for c in cases if c.functionality == functionality]
        print(row(functionality, chosen))
    print("\nHateful cases by target group")
    print(head)
    for group in GROUPS:
        print(row(group, [c for c in cases if c.hateful and c.group == group]))
    print("\nTotals")
    print(head)
    print(row("hateful (floor >= 90%)", [c for c in cases if c.hateful]))
    print(row("clean non-hateful (ceiling <= 5%)", [c for c in cases if c.clean]))
    print(row("any non-hateful", [c for c in cases if not c.hateful]))


def _functionality_order(name: str) -> tuple[bool, str]:
    return (name.endswith("_nh"), name)


if __name__ == "__main__":
    main()
