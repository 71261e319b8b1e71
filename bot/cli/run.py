"""`postgate run [--local]`: serve every platform whose token is set, or the local workspace."""

from __future__ import annotations

import argparse
import asyncio
import logging

from bot.assembly import build_services
from bot.platforms import enabled_platforms
from bot.runtime import Runtime
from bot.scheduler import ReminderScheduler
from bot.settings import load_settings


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run", help="start postgate (the local terminal workspace when no token is set)"
    )
    parser.add_argument(
        "--local", action="store_true", help="open the local workspace even if tokens are set"
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    logging.getLogger().setLevel(settings.log_level.upper())
    services = build_services(settings)
    platforms = enabled_platforms(settings, services, local=args.local)
    runtime = Runtime(
        settings=settings,
        services=services,
        platforms=platforms,
        background=[ReminderScheduler(settings=settings, services=services)],
    )
    asyncio.run(runtime.run())
    return 0
