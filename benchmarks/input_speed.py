"""How long can one hostile input keep postgate busy? Every command parser and the
checker on 4,000-character inputs built to be slow.

Run by hand: `.venv/bin/python benchmarks/input_speed.py [--random 300]`

Inputs: the crafted worst cases below (long runs of one letter, of disguise
characters, of separators between letters, of keywords, of emoji and format
characters), plus random Unicode from a fixed seed. Each parser gets each input;
the slowest call per parser is printed beside the baseline, the same input lowered
and split into words by `str.split`, measured in the same run. Target (#17): no
input of 4,000 characters takes more than 50 ms in any parser.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

from bot.cli.main import UserError, local_time
from bot.platforms.slack.border import parse_body
from guidance.checker.checker import Checker
from guidance.lookup.lookup import GuidanceIndex
from guidance.policy import load_policy
from guidance.sections import load_guidance
from handlers.commands.parse import read
from handlers.commands.registry import all_commands
from handlers.ideas.dates import parse_day
from handlers.ideas.schedules import parse_schedule
from handlers.stats.period import parse_period

LENGTH = 4000
TARGET_MS = 50.0


def crafted() -> dict[str, str]:
    def fill(piece: str) -> str:
        return (piece * (LENGTH // len(piece) + 1))[:LENGTH]

    return {
        "one letter": fill("a"),
        "one long word of a slur's letters": fill("scum"),
        "letters spaced out": fill("s c u m "),
        "letters dotted": fill("s.c.u.m."),
        "leet and masks": fill("5c*m 1d10t "),
        "format characters between letters": fill("s\u200bc\u2066u\u202em\U000e0041"),
        "combining marks": fill("a\u0301\u0308"),
        "emoji and joiners": fill("\U0001f469\u200d\U0001f4bb "),
        "keywords": fill("status edit withdraw 4 #4 last month "),
        "quotes and negation": fill('"you are not scum" never said '),
        "urls": fill("https://example.org/a?b=c "),
        "mentions": fill("<@U0123> <!channel> @everyone "),
        "digits": fill("0"),
        "whitespace": fill(" \t\n"),
        "brackets": fill("["),
    }


def random_inputs(count: int, seed: int) -> dict[str, str]:
    rng = random.Random(seed)
    planes = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x400, 0x4FF), (0x2000, 0x206F),
              (0x1F300, 0x1FAFF), (0xE0000, 0xE007F), (0xFF00, 0xFFEF)]  # fmt: skip
    out = {}
    for n in range(count):
        chars = []
        for _ in range(LENGTH):
            low, high = rng.choice(planes)
            chars.append(chr(rng.randint(low, high)))
        out[f"random {n}"] = "".join(chars)
    return out


def parsers() -> dict[str, Callable[[str], object]]:
    checker = Checker()
    index = GuidanceIndex.build(load_guidance(), synonyms=load_policy(None).synonyms)
    today = date(2026, 12, 5)
    london = ZoneInfo("Europe/London")

    def quietly(parse: Callable[[str], object]) -> Callable[[str], object]:
        def call(text: str) -> object:
            try:
                return parse(text)
            except (ValueError, RecursionError, UserError):  # a refusal is an answer too
                return None

        return call

    found: dict[str, Callable[[str], object]] = {
        "checker": checker.check,
        "guidance lookup": index.lookup,
        "stats period": parse_period,
        "idea day": lambda text: parse_day(text, today=today),
        "idea schedule": quietly(parse_schedule),
        "export --since": quietly(lambda text: local_time(text, option="--since", timezone=london)),
        "Slack body": quietly(lambda text: parse_body(text, content_type=None)),
    }
    for command in all_commands():
        found[f"/{command.name}"] = lambda text, command=command: read(command, text)
    return found


def slowest_ms(call: Callable[[str], object], inputs: dict[str, str]) -> tuple[float, str]:
    worst, name = 0.0, ""
    for label, text in inputs.items():
        best = float("inf")
        for _ in range(3):  # the best of three: a pause of the machine is not the parser
            start = time.perf_counter()
            call(text)
            best = min(best, time.perf_counter() - start)
        if best > worst:
            worst, name = best, label
    return worst * 1000, name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--random", type=int, default=100, help="random inputs (default 100)")
    args = parser.parse_args()
    inputs = crafted() | random_inputs(args.random, seed=17)
    baseline, _ = slowest_ms(lambda text: text.lower().split(), inputs)
    print(f"{len(inputs)} inputs of {LENGTH} characters; slowest call of each, best of 3")
    print(f"{'baseline: str.lower().split()':34} {baseline:8.3f} ms")
    worst_overall = 0.0
    for name, call in parsers().items():
        worst, label = slowest_ms(call, inputs)
        worst_overall = max(worst_overall, worst)
        print(f"{name:34} {worst:8.3f} ms  ({label})")
    verdict = "met" if worst_overall <= TARGET_MS else "NOT met"
    print(f"\ntarget: no input over {TARGET_MS:.0f} ms: {verdict} (slowest {worst_overall:.1f} ms)")


if __name__ == "__main__":
    main()
