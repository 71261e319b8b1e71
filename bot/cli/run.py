"""`postgate run [--local]`: serve every platform whose token is set, or the local workspace."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.assembly import build_services
from bot.cli.main import UserError
from bot.log_redaction import install_log_redaction
from bot.runtime import build_runtime
from bot.settings import Settings, load_settings
from bot.startup.settings_checks import raise_first, setting_problems
from storage.instance_lock import AlreadyRunning, LockLost

# The lock on the database was lost while serving (DESIGN.md: exit 2 is configuration).
LOCK_LOST_EXIT = 3


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run", help="start postgate (the local terminal workspace when no token is set)"
    )
    parser.add_argument(
        "--local", action="store_true", help="open the local workspace even if tokens are set"
    )
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="refuse to start if another postgate serves the database, instead of standing by",
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    install_log_redaction(secrets=_secrets(settings))
    raise_first(setting_problems(settings, local=args.local))
    services = build_services(settings)
    runtime = build_runtime(settings, services, local=args.local, no_wait=args.no_wait)
    local = [p.name for p in runtime.platforms] == ["local"]
    # A terminal workspace never stands by: a second one beside the first is a mistake
    # to point out at once, not a standby that sits silent until the first one ends.
    runtime.no_wait = runtime.no_wait or local
    logging.getLogger().setLevel(_log_level(settings, local=local))
    try:
        asyncio.run(runtime.run())
    except AlreadyRunning as exc:
        raise UserError(str(exc)) from None
    except LockLost as exc:
        print(
            f"postgate: stopped serving: lost the lock on the database ({exc}), so that two "
            "never serve at once; a restart stands by or serves again",
            file=sys.stderr,
        )
        return LOCK_LOST_EXIT
    return 0


def _secrets(settings: Settings) -> list[str]:
    configured = (
        settings.slack_bot_token,
        settings.slack_signing_secret,
        settings.slack_app_token,
        settings.discord_token,
    )
    return [secret.get_secret_value() for secret in configured if secret is not None]


def _log_level(settings: Settings, *, local: bool) -> str:
    """INFO for a service; the local workspace (at a terminal or piped) logs warnings
    only, so log lines never mix into the conversation, unless POSTGATE_LOG_LEVEL says
    otherwise."""
    if "log_level" in settings.model_fields_set or not local:
        return settings.log_level
    return "WARNING"
