"""The settings' checks that need no network: run refuses to start on the first
problem, and `postgate doctor` lists them all."""

from __future__ import annotations

import os
import re
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.settings import Settings
from bot.startup.errors import ConfigError

POSTGRES_EXAMPLE = "postgresql+psycopg://USER:PASSWORD@HOST:5432/DBNAME"
# Slack's ids: upper-case letters and digits after the kind's letter.
_SLACK_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]+")
_SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]+")
_SLACK_GROUP_ID = re.compile(r"S[A-Z0-9]+")


def setting_problems(settings: Settings, *, local: bool = False) -> list[ConfigError]:
    """Every problem found; `local` (run --local) leaves the platforms out."""
    problems = emoji_problems(settings) + database_url_problems(settings.database_url)
    if not local:
        problems += slack_problems(settings) + discord_problems(settings)
    return problems


def voting_emoji(settings: Settings) -> list[tuple[str, str, tuple[str, ...]]]:
    """Each voting setting: its name, what a reaction with it does, and its emoji."""
    return [
        ("POSTGATE_APPROVE_EMOJI", "approve", settings.approve_emoji),
        ("POSTGATE_REJECT_EMOJI", "reject", settings.reject_emoji),
        ("POSTGATE_CHANGES_EMOJI", "ask for changes", settings.changes_emoji),
    ]


def emoji_problems(settings: Settings) -> list[ConfigError]:
    """One emoji in two of the voting settings would count one reaction two ways.
    (Each setting holds Slack's names already: `bot.settings` normalises them.)"""
    votes = voting_emoji(settings)
    problems: list[ConfigError] = []
    for i, (first, first_does, first_emoji) in enumerate(votes):
        for second, second_does, second_emoji in votes[i + 1 :]:
            both = [name for name in first_emoji if name in second_emoji]
            if both:
                problems.append(
                    ConfigError(
                        setting=f"{first} and {second}",
                        problem=f"both have {', '.join(both)}, so one reaction would "
                        f"{first_does} and {second_does}",
                        fix=f"take {both[0]} out of one of them; each emoji may mean one thing",
                    )
                )
    return problems


def database_url_problems(url: str | None) -> list[ConfigError]:
    if url is None:
        return []
    netloc = url.partition("://")[2].partition("/")[0]
    if netloc.count("@") > 1:
        # make_url takes the last @ as the end of the password and reads the rest of
        # it as the host: "cannot reach PostgreSQL at ss@localhost" helps no one.
        return [
            ConfigError(
                setting="DATABASE_URL",
                problem="it has more than one @ before the host, so part of the password "
                "is read as the host",
                fix="write each @ in the user name or password as %40 "
                "(a@b is written a%40b); see docs/deploy.md",
            )
        ]
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
    problems = _slack_token_problems(settings)
    if settings.slack_signing_secret is None and settings.slack_app_token is None:
        problems.append(
            ConfigError(
                setting="SLACK_SIGNING_SECRET",
                problem="not set, and Slack's HTTP mode needs it",
                fix="copy the Signing Secret from the app's Basic Information page, "
                "or set SLACK_APP_TOKEN (xapp-...) to use Socket Mode instead",
            )
        )
    return (
        problems
        + _unset(
            "Slack",
            SLACK_REVIEW_CHANNEL=settings.slack_review_channel,
            SLACK_EDITORS=settings.slack_editors,
            fix="set SLACK_REVIEW_CHANNEL to the review channel's id (C...) and "
            "SLACK_EDITORS to the editors' user ids (U..., comma-separated)",
        )
        + _slack_id_problems(settings)
    )


def _slack_token_problems(settings: Settings) -> list[ConfigError]:
    """Each token by its prefix: xoxb- is the bot's, xapp- the app-level one."""
    bot = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    app = settings.slack_app_token.get_secret_value() if settings.slack_app_token else ""
    if bot.startswith("xapp-") and app.startswith("xoxb-"):
        return [
            ConfigError(
                setting="SLACK_BOT_TOKEN and SLACK_APP_TOKEN",
                problem="these look swapped: the bot token starts xapp- and the app token xoxb-",
                fix="put the xoxb- token in SLACK_BOT_TOKEN and the xapp- one in SLACK_APP_TOKEN",
            )
        ]
    problems: list[ConfigError] = []
    if not bot.startswith("xoxb-"):
        problems.append(
            ConfigError(
                setting="SLACK_BOT_TOKEN",
                problem=f"it starts {_prefix(bot)}, and a bot token starts xoxb-",
                fix="copy the Bot User OAuth Token (xoxb-...) from the app's "
                "OAuth & Permissions page"
                + (" (the xapp- token goes in SLACK_APP_TOKEN)" if bot.startswith("xapp-") else ""),
            )
        )
    if app and not app.startswith("xapp-"):
        problems.append(
            ConfigError(
                setting="SLACK_APP_TOKEN",
                problem=f"it starts {_prefix(app)}, and an app-level token starts xapp-",
                fix="on the app's Basic Information page, under App-Level Tokens, generate "
                "one (xapp-...) with the connections:write scope"
                + (" (the xoxb- token goes in SLACK_BOT_TOKEN)" if app.startswith("xoxb-") else ""),
            )
        )
    return problems


def _prefix(token: str) -> str:
    """What a token starts with, never more of the secret than its kind."""
    head, dash, _rest = token.partition("-")
    return f"{head[:4]}{dash}" if dash and len(head) <= 4 else "with something else"


def _slack_id_problems(settings: Settings) -> list[ConfigError]:
    """Ids where names are easy to put instead (#review, @jane)."""
    problems: list[ConfigError] = []
    for setting, channel in (
        ("SLACK_REVIEW_CHANNEL", settings.slack_review_channel),
        ("SLACK_APPROVED_CHANNEL", settings.slack_approved_channel),
        ("SLACK_STEERING_CHANNEL", settings.slack_steering_channel),
    ):
        if channel and not _SLACK_CHANNEL_ID.fullmatch(channel):
            problems.append(
                ConfigError(
                    setting=setting,
                    problem=f"{channel!r} is "
                    + (
                        "a channel's name, not its id"
                        if channel.startswith("#")
                        else "not a channel id"
                    ),
                    fix="open the channel, click its name, and copy the id at the bottom of "
                    "the About tab (it starts with C)",
                )
            )
    for setting, users in (
        ("SLACK_EDITORS", settings.slack_editors),
        ("SLACK_PROPOSERS", settings.slack_proposers),
        ("SLACK_STEERING_USERS", settings.slack_steering_users),
    ):
        wrong = [user for user in users if not _SLACK_USER_ID.fullmatch(user)]
        if wrong:
            problems.append(
                ConfigError(
                    setting=setting,
                    problem=f"{wrong[0]!r} is "
                    + (
                        "a name, not a member id" if wrong[0].startswith("@") else "not a member id"
                    ),
                    fix="click the person's name, View full profile, the ⋮ menu, Copy member ID "
                    "(it starts with U); separate ids with commas",
                )
            )
    group = settings.slack_steering_group
    if group and not _SLACK_GROUP_ID.fullmatch(group):
        problems.append(
            ConfigError(
                setting="SLACK_STEERING_GROUP",
                problem=f"{group!r} is not a user group id",
                fix="open the group under People, User groups: the id (S...) is in the page "
                "address; or leave it empty and use SLACK_STEERING_USERS",
            )
        )
    return problems


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
