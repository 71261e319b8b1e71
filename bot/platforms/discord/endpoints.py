"""Where discord.py sends its REST calls and opens its gateway.

discord.py reads both from class attributes (`discord.http.Route.BASE` and
`DiscordWebSocket.DEFAULT_GATEWAY`), not from the client, so pointing one bot at
a Discord-compatible server (`DISCORD_API_URL`, `DISCORD_GATEWAY_URL`) changes
them process-wide. The platform sets them at start and puts back what it found at
stop, so nothing leaks into the next bot (or the next test).
"""

from __future__ import annotations

from dataclasses import dataclass

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import INTERNAL_API_VERSION, Route

DISCORD_API = f"https://discord.com/api/v{INTERNAL_API_VERSION}"
DISCORD_GATEWAY = yarl.URL("wss://gateway.discord.gg/")


@dataclass(frozen=True, slots=True)
class Endpoints:
    api_base: str
    gateway: yarl.URL

    @classmethod
    def current(cls) -> Endpoints:
        return cls(api_base=Route.BASE, gateway=DiscordWebSocket.DEFAULT_GATEWAY)

    def apply(self) -> None:
        Route.BASE = self.api_base
        DiscordWebSocket.DEFAULT_GATEWAY = self.gateway


def point_discord_at(*, api_url: str | None, gateway_url: str | None) -> Endpoints:
    """Use these URLs (unset: Discord's own) and return what to restore at stop.

    `api_url` is the API base, e.g. `https://discord.com/api/v10`.
    """
    previous = Endpoints.current()
    Endpoints(
        api_base=api_base(api_url) if api_url else DISCORD_API,
        gateway=yarl.URL(gateway_url) if gateway_url else DISCORD_GATEWAY,
    ).apply()
    return previous


def api_base(url: str) -> str:
    """`https://host/api/v10` as given; a bare `https://host` gets discord.py's `/api/vN`."""
    base = url.rstrip("/")
    if "/api" not in yarl.URL(base).path:
        base += f"/api/v{INTERNAL_API_VERSION}"
    return base
