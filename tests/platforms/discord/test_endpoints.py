"""Pointing discord.py at another server, and putting Discord's own URLs back."""

from __future__ import annotations

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.platforms.discord.endpoints import (
    DISCORD_API,
    DISCORD_GATEWAY,
    api_base,
    point_discord_at,
)


def test_set_urls_are_used_and_stop_restores_what_was_there() -> None:
    before = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    restore = point_discord_at(
        api_url="http://127.0.0.1:9/api/v10/", gateway_url="ws://127.0.0.1:9/gateway"
    )
    try:
        assert Route("GET", "/users/@me").url == "http://127.0.0.1:9/api/v10/users/@me"
        assert yarl.URL("ws://127.0.0.1:9/gateway") == DiscordWebSocket.DEFAULT_GATEWAY
    finally:
        restore.apply()
    assert before == (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)


def test_unset_urls_mean_discords_own() -> None:
    restore = point_discord_at(api_url=None, gateway_url=None)
    try:
        assert (DISCORD_API, DISCORD_GATEWAY) == (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
        assert DISCORD_API.startswith("https://discord.com/api/v")
    finally:
        restore.apply()


def test_a_bare_host_gets_the_api_path() -> None:
    assert api_base("https://chat.example.org") == DISCORD_API.replace(
        "https://discord.com", "https://chat.example.org"
    )
    assert api_base("https://chat.example.org/api/v10/") == "https://chat.example.org/api/v10"
