"""Platform adapters. A new platform is one new module here plus one line below."""

from __future__ import annotations

from bot.platforms.base import Platform
from bot.settings import Settings
from handlers.context import Services


def enabled_platforms(settings: Settings, services: Services, *, local: bool) -> list[Platform]:
    """Every platform whose token is set; the local workspace when none is, or when asked."""
    platforms: list[Platform] = []
    if not local:
        if settings.slack_enabled:
            from bot.platforms.slack.platform import create_platform as create_slack

            platforms.append(create_slack(settings, services))
        if settings.discord_enabled:
            from bot.platforms.discord.platform import create_platform as create_discord

            platforms.append(create_discord(settings, services))
    if not platforms:
        from bot.platforms.local.platform import create_platform as create_local

        platforms.append(create_local(settings, services))
    return platforms


__all__ = ["Platform", "enabled_platforms"]
