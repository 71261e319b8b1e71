"""`postgate guidance [QUERY] [--json]`: the same answer as `/guidance`, in the terminal.

`--json` prints `[{"id", "title", "score", "text"}, ...]`, best first (DESIGN.md);
with no query, every section in the guidance's order, each with `"score": null`.
"""

from __future__ import annotations

import argparse
import json
import sys

from bot.cli.printable import printable
from bot.settings import load_settings
from guidance.lookup.lookup import GuidanceIndex
from guidance.policy import load_policy
from guidance.sections import load_guidance
from handlers.guidance import answer_message


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "guidance",
        help="show the party's guidance, or the sections that answer a question",
        description="Answers like /guidance: no QUERY lists the sections; a QUERY "
        "(a question, a few words or a section id) shows the best section in full.",
    )
    parser.add_argument("query", nargs="*", metavar="QUERY", help="a question or a section id")
    parser.add_argument(
        "--json",
        action="store_true",
        help='print [{"id", "title", "score", "text"}, ...], best first',
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=3,
        choices=range(1, 21),
        metavar="N",
        help="with --json and a query: at most N sections (1-20, default: %(default)s)",
    )
    parser.set_defaults(func=_guidance)


def build_index() -> GuidanceIndex:
    """The index as `postgate run` builds it, from the same settings."""
    settings = load_settings()
    # GuidanceError and PolicyError name the file and the problem: main prints them, exit 2.
    guidance = load_guidance(settings.guidance_path)
    policy = load_policy(settings.policy_path)
    return GuidanceIndex.build(guidance, synonyms=policy.synonyms)


def _guidance(args: argparse.Namespace) -> int:
    index = build_index()
    query = " ".join(args.query).strip()
    if args.json:
        json.dump(_as_json(index, query, limit=args.limit), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    print(printable(answer_message(index, query).as_plain_text()))
    return 0


def _as_json(index: GuidanceIndex, query: str, *, limit: int) -> list[dict[str, object]]:
    if not query:
        return [
            {"id": s.id, "title": s.title, "score": None, "text": s.text}
            for s in index.guidance.sections
        ]
    return [
        {"id": h.section.id, "title": h.section.title, "score": h.score, "text": h.section.text}
        for h in index.search(query, limit=limit)
    ]
