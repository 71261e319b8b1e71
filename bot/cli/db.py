"""`postgate db upgrade`: apply the schema migrations."""

from __future__ import annotations

import argparse

from bot.settings import load_settings
from storage.migrate import upgrade
from storage.urls import safe_url


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("db", help="manage the database schema")
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = actions.add_parser("upgrade", help="apply every migration (safe to repeat)")
    up.set_defaults(func=_upgrade)


def _upgrade(args: argparse.Namespace) -> int:
    settings = load_settings()
    url = settings.resolved_database_url
    upgrade(url)
    print(f"database is up to date: {safe_url(url)}")
    return 0
