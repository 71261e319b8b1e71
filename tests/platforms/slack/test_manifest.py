"""slack/manifest.yml creates an app that can do everything the adapter needs."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.platforms.slack.manifest import manifest_yaml
from handlers.commands.registry import all_commands

SHIPPED = Path(__file__).resolve().parents[3] / "slack" / "manifest.yml"


def test_shipped_manifest_offers_every_command_in_the_registry() -> None:
    shipped = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    offered = {c["command"] for c in shipped["features"]["slash_commands"]}
    missing = {f"/{c.name}" for c in all_commands()} - offered
    assert not missing, (
        f"slack/manifest.yml lacks {sorted(missing)}: regenerate it with "
        ".venv/bin/python -m bot.platforms.slack.manifest > slack/manifest.yml"
    )


def test_manifest_has_events_scopes_and_socket_mode() -> None:
    generated = yaml.safe_load(manifest_yaml())
    settings = generated["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "reaction_added",
        "reaction_removed",
    }
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True  # the /propose form
    scopes = set(generated["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "reactions:read", "im:write", "usergroups:read"} <= scopes
    for command in generated["features"]["slash_commands"]:
        assert len(command["description"]) <= 100
        assert len(command.get("usage_hint", "")) <= 100
        assert command["should_escape"] is False
