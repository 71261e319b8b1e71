"""PLACEHOLDER: the slack adapter (its issue's helper writes this module)."""

from __future__ import annotations

from bot.platforms.base import Platform
from bot.settings import Settings
from handlers.context import Services


def create_platform(settings: Settings, services: Services) -> Platform:
    raise NotImplementedError("the slack platform is not built yet")
