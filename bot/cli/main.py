"""`postgate`: the console script. Each subcommand lives in its own module here, imported
only when it runs: `postgate check` never loads the database or platform libraries."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from datetime import datetime
from importlib import metadata
from zoneinfo import ZoneInfo

from bot.startup.errors import CONFIG_EXIT
from guidance.policy import PolicyError
from guidance.sections import GuidanceError
from handlers.port import PlatformError

# One module per subcommand, each with `add_parser(subparsers)`.
SUBCOMMANDS = ("run", "check", "guidance", "proposals", "stats", "export", "db", "doctor")


class UserError(Exception):
    """A problem the person at the terminal can fix; printed without a traceback."""


def local_time(text: str, *, option: str, timezone: ZoneInfo) -> datetime:
    """An option's ISO 8601 date (local midnight) or time; no offset means local time."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(
            f"{option} {text!r} is not a date or time; use ISO 8601, e.g. 2026-09-01 "
            "or 2026-03-31T18:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Every subcommand's parser, or only `only`'s when that is the one that runs."""
    parser = argparse.ArgumentParser(
        prog="postgate",
        description="Check draft posts against the party's social media guidance "
        "and run editor approval in Slack, Discord or a local workspace.",
    )
    parser.add_argument("--version", action="version", version=f"postgate {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in (only,) if only in SUBCOMMANDS else SUBCOMMANDS:
        importlib.import_module(f"bot.cli.{name}").add_parser(subparsers)
    return parser


def _version() -> str:
    try:
        return metadata.version("postgate")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(only=argv[0] if argv else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        return int(args.func(args) or 0)
    except (UserError, GuidanceError, PolicyError) as exc:
        print(f"postgate: {exc}", file=sys.stderr)
        return CONFIG_EXIT
    except PlatformError as exc:
        print(f"postgate: could not start: {exc}", file=sys.stderr)
        return CONFIG_EXIT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `postgate ... | head` closed the pipe: not an error worth a traceback.
        _silence_stdout()
        return 0
    except Exception as exc:
        # One line, never a traceback, unless the operator asked for DEBUG.
        from bot.startup.explain import one_line

        if _debugging():
            from bot.log_redaction import redact

            print(redact(traceback.format_exc()), file=sys.stderr, end="")
        line, status = one_line(exc, url=_database_url())
        print(f"postgate: {line}", file=sys.stderr)
        return status


def _debugging() -> bool:
    from bot.settings import load_settings

    try:
        return load_settings().log_level == "DEBUG"
    except Exception:
        return os.environ.get("POSTGATE_LOG_LEVEL", "").strip().upper() == "DEBUG"


def _database_url() -> str | None:
    from bot.settings import load_settings

    try:
        return load_settings().resolved_database_url
    except Exception:
        return os.environ.get("DATABASE_URL") or None


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    # `python -m bot.cli.main` runs this file as `__main__`, a second copy of the module:
    # the subcommands raise `bot.cli.main.UserError`, which that copy's `main` would not
    # catch. So hand over to the module as imported.
    sys.exit(importlib.import_module("bot.cli.main").main())
