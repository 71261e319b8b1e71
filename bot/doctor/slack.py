"""Slack: the token, the scopes the manifest asks for, the bot in each channel, the
editors and the steering group, asked of Slack's Web API itself."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.doctor.checklist import Item
from bot.platforms.slack.errors import error_code
from bot.platforms.slack.manifest import BOT_SCOPES
from bot.platforms.slack.platform import AUTH_FAILURES, auth_failure, build_client
from bot.settings import Settings

REINSTALL = (
    "add them under OAuth & Permissions (or paste slack/manifest.yml again) and reinstall the app"
)


async def check_slack(settings: Settings) -> list[Item]:
    client = build_client(settings)
    try:
        answer = await client.auth_test()
    except AUTH_FAILURES as exc:
        failure = auth_failure(exc, base_url=client.base_url, api_url=settings.slack_api_url)
        return [Item.from_error(failure)]
    items = [
        Item.passed(
            f"Slack: the bot token works (workspace {answer.get('team')}, bot {answer.get('user')})"
        )
    ]
    items.append(_scopes(answer.headers))
    if settings.slack_app_token is not None:
        items.append(await _socket_mode(client, settings.slack_app_token.get_secret_value()))
    channels = (
        ("SLACK_REVIEW_CHANNEL", settings.slack_review_channel),
        ("SLACK_APPROVED_CHANNEL", settings.slack_approved_channel),
        ("SLACK_STEERING_CHANNEL", settings.slack_steering_channel),
    )
    for setting, channel in channels:
        if channel:
            items.append(await _channel(client, setting=setting, channel=channel))
    for user in settings.slack_editors:
        items.append(await _user(client, setting="SLACK_EDITORS", user=user))
    if settings.slack_steering_group:
        items.append(await _group(client, settings.slack_steering_group))
    return items


def _scopes(headers: dict[str, object]) -> Item:
    granted = {
        scope.strip()
        for key, value in headers.items()
        if key.lower() == "x-oauth-scopes"
        for scope in str(value).split(",")
    }
    missing = [scope for scope in BOT_SCOPES if scope not in granted]
    if missing:
        return Item.failed(f"Slack: the app lacks the scopes {', '.join(missing)}", fix=REINSTALL)
    return Item.passed("Slack: the app has every scope the manifest asks for")


async def _channel(client: AsyncWebClient, *, setting: str, channel: str) -> Item:
    try:
        answer = await client.conversations_info(channel=channel)
    except SlackApiError as exc:
        code = error_code(exc)
        if code == "channel_not_found":
            return Item.failed(
                f"{setting}: Slack has no channel {channel} the bot can see",
                fix="copy the id from the channel's details (it starts with C); for a "
                "private channel, invite the bot first",
            )
        return Item.failed(f"{setting}: conversations.info failed ({code})", fix=REINSTALL)
    info = answer.get("channel") or {}
    name = info.get("name", channel)
    if not info.get("is_member"):
        return Item.failed(
            f"{setting}: the bot is not in #{name}",
            fix=f"type /invite @postgate in #{name}",
        )
    return Item.passed(f"{setting}: the bot is in #{name}")


async def _user(client: AsyncWebClient, *, setting: str, user: str) -> Item:
    try:
        answer = await client.users_info(user=user)
    except SlackApiError as exc:
        return Item.failed(
            f"{setting}: Slack has no user {user} ({error_code(exc)})",
            fix="copy the member id from their profile (⋮ > Copy member ID; it starts with U)",
        )
    name = (answer.get("user") or {}).get("name", user)
    return Item.passed(f"{setting}: {user} is {name}")


async def _group(client: AsyncWebClient, group: str) -> Item:
    try:
        answer = await client.usergroups_users_list(usergroup=group)
    except SlackApiError as exc:
        code = error_code(exc)
        fix = (
            "user groups need a paid Slack plan: leave SLACK_STEERING_GROUP empty and set "
            "SLACK_STEERING_USERS to the steering group's user ids, or "
            "SLACK_STEERING_CHANNEL_MEMBERS=true to use the members of SLACK_STEERING_CHANNEL"
            if code in ("paid_teams_only", "plan_upgrade_required", "not_allowed_token_type")
            else "copy the user group's id (it starts with S), or leave it empty"
        )
        return Item.failed(f"SLACK_STEERING_GROUP: Slack refused {group} ({code})", fix=fix)
    return Item.passed(f"SLACK_STEERING_GROUP: {len(answer.get('users') or [])} members")


async def _socket_mode(client: AsyncWebClient, app_token: str) -> Item:
    """The app-level token opens a Socket Mode connection (asked for, never used)."""
    try:
        await client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        return Item.failed(
            f"SLACK_APP_TOKEN: Slack refused it for Socket Mode ({error_code(exc)})",
            fix="on the app's Basic Information page, generate an app-level token "
            "(xapp-...) with the connections:write scope, and turn Socket Mode on",
        )
    return Item.passed("SLACK_APP_TOKEN: Socket Mode can connect")
