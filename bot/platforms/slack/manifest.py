"""The Slack app manifest, built from the command declarations, so `slack/manifest.yml`
creates the app with every command in one paste.

Regenerate it after adding a command:

    .venv/bin/python -m bot.platforms.slack.manifest > slack/manifest.yml
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import yaml

from handlers.commands.registry import all_commands
from handlers.commands.spec import Command, usage
from handlers.textsplit import clip

# What the app does with each scope, so nobody grants more than this.
BOT_SCOPES = (
    "commands",  # the slash commands
    "chat:write",  # review cards, approved posts, replies
    "reactions:read",  # reaction_added / reaction_removed on cards
    "reactions:write",  # postgate's own reactions on its cards
    "im:write",  # telling a proposer of a decision by DM
    "files:write",  # the /stats chart, uploaded beside the report
    "users:read",  # display names of the editors who react
    "usergroups:read",  # who is in the steering group
    "channels:read",  # postgate doctor: is the bot in each channel; a steering channel's members
    "groups:read",  # the same for private channels
    "channels:history",  # finding a post whose answer was lost, so it is not posted twice
    "groups:history",  # the same in a private review or approved channel
    "im:history",  # the same for a DM to a proposer
)
BOT_EVENTS = ("reaction_added", "reaction_removed")
SLACK_TEXT_LIMIT = 100  # a command's description and usage hint


def _command(spec: Command) -> dict[str, Any]:
    hint = usage(spec).removeprefix(f"/{spec.name}").strip().lstrip("| ")
    entry: dict[str, Any] = {
        "command": f"/{spec.name}",
        "description": clip(spec.summary, SLACK_TEXT_LIMIT),
        "should_escape": False,
    }
    if hint:
        entry["usage_hint"] = clip(hint, SLACK_TEXT_LIMIT)
    return entry


def manifest(commands: Sequence[Command]) -> dict[str, Any]:
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "postgate",
            "description": "Checks draft posts against the party's social media guidance; "
            "editors approve them with a reaction.",
            "background_color": "#8a1538",
        },
        "features": {
            "bot_user": {"display_name": "postgate", "always_online": True},
            "slash_commands": [_command(spec) for spec in commands],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": {"bot_events": list(BOT_EVENTS)},
            "interactivity": {"is_enabled": True},
            "org_deploy_enabled": False,
            "socket_mode_enabled": True,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml() -> str:
    header = (
        "# postgate's Slack app. Create it at https://api.slack.com/apps -> Create New App ->\n"
        "# From a manifest, and paste this file. See docs/slack.md.\n"
        "# Generated from the command registry: "
        ".venv/bin/python -m bot.platforms.slack.manifest > slack/manifest.yml\n"
    )
    return header + yaml.safe_dump(
        manifest(all_commands()), sort_keys=False, allow_unicode=True, width=100
    )


if __name__ == "__main__":
    sys.stdout.write(manifest_yaml())
