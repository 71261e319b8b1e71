"""`postgate doctor`: is this deployment ready? One line each, ✓ or ✗ with the fix."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="check the settings, database, guidance and each platform; say how to fix what fails",
        description="Check everything postgate run needs: the settings, the database and "
        "its migrations, the guidance and policy, and Slack and Discord as configured. "
        "Exit 0 when all hold, 1 otherwise.",
    )
    parser.set_defaults(func=_doctor)


def _doctor(args: argparse.Namespace) -> int:
    # Slack's and Discord's libraries load only when the doctor is called.
    from bot.doctor.run import run_checks

    items = run_checks()
    for item in items:
        print(item.line())
    failed = sum(not item.ok for item in items)
    warned = sum(item.ok and bool(item.fix) for item in items)
    summary = f"{failed} to fix" if failed else "all good"
    if warned:
        summary += f", {warned} to look at"
    print(f"\n{summary}: {len(items)} checks")
    return 0 if not failed else 1
