"""The settings, checked without the network (the same checks `run` makes)."""

from __future__ import annotations

from bot.doctor.checklist import Item
from bot.settings import Settings
from bot.startup.settings_checks import setting_problems


def check_settings(settings: Settings) -> list[Item]:
    problems = setting_problems(settings)
    if problems:
        return [Item.from_error(problem) for problem in problems]
    platforms = [
        name
        for name, on in (("Slack", settings.slack_enabled), ("Discord", settings.discord_enabled))
        if on
    ]
    serves = " and ".join(platforms) if platforms else "the local workspace only (no token set)"
    return [Item.passed(f"settings: valid; postgate run serves {serves}")]
