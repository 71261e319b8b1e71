"""`postgate check`: check a draft post (or a batch of them) against the party's policy."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import IO

from bot.cli.printable import hidden_spans, printable
from bot.settings import load_settings
from guidance.checker.checker import Checker
from guidance.checker.report import Finding, Report, Severity, Verdict
from guidance.policy import load_consistent
from handlers.proposals.visible import has_visible_text

_COLOURS = {
    Severity.BLOCK: "\x1b[1;41;97m",  # bold white on red
    Severity.WARN: "\x1b[30;43m",  # black on yellow
    Severity.INFO: "\x1b[4;36m",  # underlined cyan
}
_RESET = "\x1b[0m"
_VERDICT_WORDS = {
    Verdict.PASS: "PASS: nothing in the policy stops this post going to the editors.",
    Verdict.WARN: "WARN: it can go to the editors, who will see the warnings below.",
    Verdict.BLOCK: "BLOCK: this post cannot go to the editors as it is.",
}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check a draft post against the party's policy",
        description="Check a draft post against the party's social media policy and say "
        "why it would pass, be flagged for the editors, or be blocked.",
    )
    parser.add_argument(
        "text",
        nargs="*",
        help="the post to check (quotes are optional), or - to read it from standard input",
    )
    parser.add_argument(
        "--jsonl",
        action="store_true",
        help='batch mode: read {"id": ..., "text": ...} lines on standard input, '
        "write one JSON result line for each",
    )
    parser.add_argument(
        "--policy",
        type=Path,
        metavar="PATH",
        help="a policy file to use instead of POSTGATE_POLICY or the shipped one",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    # The guidance and policy `run` would use, checked against each other as `run` checks
    # them; a broken one raises GuidanceError or PolicyError: main prints it, exit 2.
    guidance, policy = load_consistent(
        guidance_path=settings.guidance_path, policy_path=args.policy or settings.policy_path
    )
    checker = Checker(policy)
    if args.jsonl:
        _tolerate_bad_bytes()
        check_lines(checker, source=sys.stdin, out=sys.stdout, errors=sys.stderr)
        return 0
    if not args.text:
        print(
            'postgate: give the post to check, e.g. postgate check "Our new leaflet is out!", '
            "or - to read it from standard input",
            file=sys.stderr,
        )
        return 2
    text = _read_stdin() if args.text == ["-"] else " ".join(args.text)
    if not has_visible_text(text):  # as /propose refuses it: there is nothing to check
        print("postgate: the post is empty: there is nothing to check", file=sys.stderr)
        return 2
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    titles = {section.id: section.title for section in guidance.sections}
    print(render(text, checker.check(text), colour=colour, titles=titles))
    return 0


def check_lines(checker: Checker, *, source: IO[str], out: IO[str], errors: IO[str]) -> None:
    """The batch contract (DESIGN.md): one JSON line out per line in; bad lines go to `errors`."""
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            print(
                f"postgate check: line {number}: not valid JSON ({exc.msg}); skipped", file=errors
            )
            continue
        if not isinstance(item, dict) or "id" not in item or not isinstance(item.get("text"), str):
            print(
                f'postgate check: line {number}: expected {{"id": ..., "text": "..."}} '
                "with text as a string; skipped",
                file=errors,
            )
            continue
        report = checker.check(item["text"])
        result = {
            "id": item["id"],
            "verdict": str(report.verdict),
            "findings": [finding.as_json() for finding in report.findings],
        }
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()


def render(text: str, report: Report, *, colour: bool, titles: dict[str, str]) -> str:
    """A report a volunteer can read: the verdict, the post with its findings marked, and why."""
    lines = [_VERDICT_WORDS[report.verdict], ""]
    lines.append(_mark(text, report.findings) if colour else printable(text))
    for number, finding in enumerate(report.findings, start=1):
        excerpt = " ".join(printable(text[finding.start : finding.end]).split())
        section = titles.get(finding.guidance, "")
        lines += [
            "",
            f"{number}. {finding.rule} ({finding.severity}): “{excerpt}” "
            f"(characters {finding.start}-{finding.end})",
            f"   {finding.message}",
        ]
        if finding.suggestion:
            lines.append(f"   Suggestion: {finding.suggestion}")
        lines.append(f"   Guidance: {section} [{finding.guidance}]".replace(":  [", ": ["))
    if not report.findings:
        lines += ["", "No findings."]
    return "\n".join(lines)


def _mark(text: str, findings: tuple[Finding, ...]) -> str:
    """Colour each character by the most serious finding covering it, leaving out the
    control characters `printable` drops (the spans still count them)."""
    hidden = {i for start, end in hidden_spans(text) for i in range(start, end)}
    worst: list[Severity | None] = [None] * len(text)
    for finding in findings:
        for i in range(finding.start, min(finding.end, len(text))):
            current = worst[i]
            if current is None or finding.severity.rank > current.rank:
                worst[i] = finding.severity
    out: list[str] = []
    previous: Severity | None = None
    for i, (char, severity) in enumerate(zip(text, worst, strict=True)):
        if i in hidden:
            continue
        if severity != previous:
            out.append(_RESET if previous is not None else "")
            out.append(_COLOURS[severity] if severity is not None else "")
            previous = severity
        out.append(char)
    if previous is not None:
        out.append(_RESET)
    return "".join(out)


def _read_stdin() -> str:
    _tolerate_bad_bytes()
    return sys.stdin.read().removesuffix("\n")


def _tolerate_bad_bytes() -> None:
    """Bytes that are not UTF-8 become U+FFFD instead of stopping the run."""
    reconfigure = getattr(sys.stdin, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")
