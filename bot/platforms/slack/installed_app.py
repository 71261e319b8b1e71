"""Requests for this installation only: the workspace and the app postgate runs as.

A request signed with our secret still names its workspace (`team_id`) and app
(`api_app_id`) itself. One naming another workspace was stored in a workspace of
its own while its card went to the configured channel. Both are learned at
start, the workspace from `auth.test` and the app from `bots.info` on the bot
`auth.test` names (auth.test names the app itself only for some tokens), and a
request naming anything else, or nothing, is refused with a 401 before any
listener runs, in HTTP mode and Socket Mode alike.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.platforms.slack.errors import error_code
from bot.startup.errors import ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class InstalledApp:
    team_id: str
    app_id: str


async def installed_app(*, client: AsyncWebClient, auth: dict[str, Any]) -> InstalledApp:
    """The workspace and app of the bot token, from `auth.test`'s answer (`auth`)."""
    team_id = str(auth.get("team_id") or "")
    app_id = str(auth.get("app_id") or "")
    if not app_id and auth.get("bot_id"):
        try:
            answer = await client.bots_info(bot=str(auth["bot_id"]))
        except SlackApiError as exc:
            raise ConfigError(
                setting="SLACK_BOT_TOKEN",
                problem=f"Slack's bots.info failed ({error_code(exc)}), so postgate "
                "cannot tell which app it is",
                fix="give the app the users:read scope (see the app manifest) and reinstall it",
            ) from None
        bot = answer.get("bot")
        app_id = str(bot.get("app_id") or "") if isinstance(bot, dict) else ""
    if not team_id or not app_id:
        raise ConfigError(
            setting="SLACK_BOT_TOKEN",
            problem="Slack did not say which workspace and app this token belongs to",
            fix="use the app's Bot User OAuth Token (xoxb-...)",
        )
    return InstalledApp(team_id=team_id, app_id=app_id)


def named_teams(body: dict[str, Any]) -> Iterator[str]:
    """Every workspace a payload names as the one it is for: slash commands and events
    (`team_id`), interactions (`team.id`), events' `authorizations`, and a modal opened
    from another workspace (`view.app_installed_team_id`)."""
    if "team_id" in body:
        yield str(body["team_id"])
    team = body.get("team")
    if isinstance(team, dict) and "id" in team:
        yield str(team["id"])
    elif isinstance(team, str):
        yield team
    for authorization in body.get("authorizations") or ():
        if isinstance(authorization, dict) and "team_id" in authorization:
            yield str(authorization["team_id"])
    view = body.get("view")
    if isinstance(view, dict) and view.get("app_installed_team_id"):
        yield str(view["app_installed_team_id"])


def foreign(body: dict[str, Any], *, installed: InstalledApp) -> str | None:
    """Why `body` is not for this installation, or None when it is."""
    teams = set(named_teams(body))
    if not teams:
        return "it names no workspace"
    if teams != {installed.team_id}:
        return "it is for another workspace"
    if body.get("api_app_id") != installed.app_id:
        return "it is for another app" if body.get("api_app_id") else "it names no app"
    return None


class OnlyInstalledApp(AsyncMiddleware):
    """bolt middleware: a 401, one log line and nothing else for a foreign request."""

    def __init__(self, installed: InstalledApp) -> None:
        self._installed = installed

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        why = foreign(req.body, installed=self._installed)
        if why is None:
            return await next()
        log.warning("refused a signed Slack request: %s", why)
        return BoltResponse(status=401, body="")
