"""Discord: the token, the server, the channels the bot can see, the editor role and
the commands synced, asked of Discord's REST API with discord.py (no gateway)."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.doctor.checklist import Item
from bot.platforms.discord.endpoints import point_discord_at
from bot.settings import Settings
from handlers.commands.registry import all_commands

DEVELOPER_MODE = "turn on Developer Mode in Discord, right-click it and Copy ID"


async def check_discord(settings: Settings) -> list[Item]:
    token = settings.discord_token
    guild_id = settings.discord_guild_id
    if token is None or guild_id is None:
        return []
    restore = point_discord_at(
        api_url=settings.discord_api_url, gateway_url=settings.discord_gateway_url
    )
    # The checklist is the output: discord.py's notes (no voice support, ...) are not.
    logging.getLogger("discord").setLevel(logging.ERROR)
    client = discord.Client(intents=discord.Intents(guilds=True))
    try:
        return await _checks(client, settings, token=token.get_secret_value(), guild_id=guild_id)
    finally:
        await client.close()
        restore.apply()


async def _checks(
    client: discord.Client, settings: Settings, *, token: str, guild_id: int
) -> list[Item]:
    try:
        await client.login(token)
    except discord.LoginFailure:
        return [
            Item.failed(
                "DISCORD_TOKEN: Discord refused the token",
                fix="reset the token on the Developer Portal's Bot page and copy it again",
            )
        ]
    except (discord.HTTPException, OSError) as exc:
        return [
            Item.failed(
                f"DISCORD_TOKEN: cannot reach Discord ({type(exc).__name__})",
                fix="check the network"
                + (" and DISCORD_API_URL" if settings.discord_api_url else ""),
            )
        ]
    items = [Item.passed(f"Discord: the token works (bot {client.user})")]
    try:
        guild = await client.fetch_guild(guild_id)
    except discord.HTTPException:
        return [
            *items,
            Item.failed(
                f"DISCORD_GUILD_ID: the bot is not in a server {guild_id}",
                fix="invite the bot with the link in docs/discord.md, or correct the id ("
                + DEVELOPER_MODE
                + ")",
            ),
        ]
    items.append(Item.passed(f"DISCORD_GUILD_ID: the bot is in {guild.name}"))
    for setting, channel_id in (
        ("DISCORD_REVIEW_CHANNEL", settings.discord_review_channel),
        ("DISCORD_APPROVED_CHANNEL", settings.discord_approved_channel),
        ("DISCORD_STEERING_CHANNEL", settings.discord_steering_channel),
    ):
        if channel_id is not None:
            items.append(await _channel(client, setting=setting, channel_id=channel_id))
    roles = {role.id: role.name for role in await guild.fetch_roles()}
    for setting, role_id in (
        ("DISCORD_EDITOR_ROLE", settings.discord_editor_role),
        ("DISCORD_PROPOSER_ROLE", settings.discord_proposer_role),
        ("DISCORD_STEERING_ROLE", settings.discord_steering_role),
    ):
        if role_id is not None:
            items.append(_role(roles, setting=setting, role_id=role_id, guild=guild.name))
    items.append(await _commands(client, guild_id=guild_id))
    return items


async def _channel(client: discord.Client, *, setting: str, channel_id: int) -> Item:
    try:
        channel = await client.fetch_channel(channel_id)
    except discord.Forbidden:
        return Item.failed(
            f"{setting}: the bot cannot see channel {channel_id}",
            fix="give the bot's role View Channel and Send Messages in that channel",
        )
    except discord.HTTPException:
        return Item.failed(
            f"{setting}: Discord has no channel {channel_id}",
            fix="correct the id: " + DEVELOPER_MODE,
        )
    return Item.passed(f"{setting}: the bot sees #{getattr(channel, 'name', channel_id)}")


def _role(roles: dict[int, str], *, setting: str, role_id: int, guild: str) -> Item:
    if role_id not in roles:
        return Item.failed(
            f"{setting}: {guild} has no role {role_id}",
            fix="correct the id (Server Settings > Roles, right-click the role, Copy Role ID)",
        )
    return Item.passed(f"{setting}: @{roles[role_id]}")


async def _commands(client: discord.Client, *, guild_id: int) -> Item:
    tree = app_commands.CommandTree(client)
    synced = {command.name for command in await tree.fetch_commands(guild=discord.Object(guild_id))}
    missing = sorted(spec.name for spec in all_commands() if spec.name not in synced)
    if missing:
        return Item.failed(
            "Discord: commands not synced to the server: " + ", ".join(f"/{m}" for m in missing),
            fix="start postgate run once: it syncs the commands at every start",
        )
    return Item.passed("Discord: every command is synced to the server")
