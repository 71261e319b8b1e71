"""Every check, in the order a newcomer fixes things: settings, database, guidance,
then each platform whose token is set."""

from __future__ import annotations

import asyncio

from pydantic import ValidationError

from bot.doctor.checklist import Item
from bot.doctor.database import check_database
from bot.doctor.policy import check_policy
from bot.doctor.settings import check_settings
from bot.settings import Settings, load_settings
from bot.startup.explain import settings_error
from bot.startup.settings_checks import database_url_problems, discord_problems, slack_problems


def run_checks() -> list[Item]:
    try:
        settings = load_settings()
    except ValidationError as exc:
        return [Item.from_error(settings_error(exc))]
    items = check_settings(settings)
    if not database_url_problems(settings.database_url):
        items += check_database(settings.resolved_database_url)
    items += check_policy(settings)
    items += asyncio.run(_platforms(settings))
    return items


async def _platforms(settings: Settings) -> list[Item]:
    items: list[Item] = []
    # Each platform's library loads only when that platform is configured.
    if settings.slack_enabled and not slack_problems(settings):
        from bot.doctor.slack import check_slack

        items += await check_slack(settings)
    if settings.discord_enabled and not discord_problems(settings):
        from bot.doctor.discord import check_discord

        items += await check_discord(settings)
    return items
