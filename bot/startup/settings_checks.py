"""The settings' checks that need no network: run refuses to start on the first
problem, and `postgate doctor` lists them all."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.settings import Settings
from bot.startup.errors import ConfigError

POSTGRES_EXAMPLE = "postgresql+psycopg://USER:PASSWORD@HOST:5432/DBNAME"


def setting_problems(settings: Settings, *, local: bool = False) -> list[ConfigError]:
    """Every problem found; `local` (run --local) leaves the platforms out."""
    problems = database_url_problems(settings.database_url)
    if not local:
        problems += slack_problems(settings) + discord_problems(settings)
    return problems


def database_url_problems(url: str | None) -> list[ConfigError]:
    if url is None:
        return []
    try:
        parsed = make_url(url)
    except ArgumentError:
        return [
            ConfigError(
                setting="DATABASE_URL",
                problem="this is not a database URL",
                fix=(
                    f"use {POSTGRES_EXAMPLE}, or sqlite:///path/to/postgate.db for a SQLite "
                    "file, or leave it empty for postgate.db here"
                ),
            )
        ]
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        return [
            ConfigError(
                setting="DATABASE_URL",
                problem=f"postgate works with PostgreSQL or SQLite, not {backend}",
                fix=f"use {POSTGRES_EXAMPLE}, or leave it empty for the SQLite file postgate.db",
            )
        ]
    if backend == "sqlite" and parsed.database and parsed.database != ":memory:":
        if parsed.database.startswith("file:"):
            return []
        folder = Path(parsed.database).resolve().parent
        if not folder.is_dir():
            return [
                ConfigError(
                    setting="DATABASE_URL",
                    problem=f"the folder {folder} for the SQLite file does not exist",
                    fix=f"create it (mkdir -p {folder}) or name a file in a folder that exists",
                )
            ]
        if not os.access(folder, os.W_OK):
            return [
                ConfigError(
                    setting="DATABASE_URL",
                    problem=f"the folder {folder} for the SQLite file is not writable",
                    fix="give postgate's user write access to it, or name another folder",
                )
            ]
    return []


def slack_problems(settings: Settings) -> list[ConfigError]:
    if settings.slack_bot_token is None:
        return []
    problems: list[ConfigError] = []
    if settings.slack_signing_secret is None and settings.slack_app_token is None:
        problems.append(
            ConfigError(
                setting="SLACK_SIGNING_SECRET",
                problem="not set, and Slack's HTTP mode needs it",
                fix="copy the Signing Secret from the app's Basic Information page, "
                "or set SLACK_APP_TOKEN (xapp-...) to use Socket Mode instead",
            )
        )
    return problems + _unset(
        "Slack",
        SLACK_REVIEW_CHANNEL=settings.slack_review_channel,
        SLACK_EDITORS=settings.slack_editors,
        fix="set SLACK_REVIEW_CHANNEL to the review channel's id (C...) and "
        "SLACK_EDITORS to the editors' user ids (U..., comma-separated)",
    )


def discord_problems(settings: Settings) -> list[ConfigError]:
    if settings.discord_token is None:
        return []
    problems: list[ConfigError] = []
    if settings.discord_guild_id is None:
        problems.append(
            ConfigError(
                setting="DISCORD_GUILD_ID",
                problem="not set, and postgate serves one Discord server, by its id",
                fix="turn on Developer Mode in Discord, right-click the server and Copy Server ID",
            )
        )
    return problems + _unset(
        "Discord",
        DISCORD_REVIEW_CHANNEL=settings.discord_review_channel,
        DISCORD_EDITOR_ROLE=settings.discord_editor_role,
        fix="set DISCORD_REVIEW_CHANNEL to the review channel's id and "
        "DISCORD_EDITOR_ROLE to the editors' role id (right-click, Copy ID)",
    )


def _unset(platform: str, *, fix: str, **needed: object) -> list[ConfigError]:
    """The settings a platform cannot review a post without, when they are not set."""
    missing = [name for name, value in needed.items() if not value]
    if not missing:
        return []
    problem = f"not set, and {platform} cannot review a post without "
    problem += "them" if len(missing) > 1 else "it"
    return [ConfigError(setting=" and ".join(missing), problem=problem, fix=fix)]


def raise_first(problems: list[ConfigError]) -> None:
    if problems:
        raise problems[0]
