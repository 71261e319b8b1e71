"""Who someone is in Slack, as postgate sees it: a name and roles.

Editors and proposers come from the settings; the steering group from any of: Slack's
user group (`usergroups.users.list`, paid plans), a list of user ids, the members of
the steering channel (`conversations.members`, for the free plan). Display names come
from `users.info`. Lookups are cached briefly: a busy review channel should not cost
an API call a reaction.
"""

from __future__ import annotations

import asyncio
import logging
import time

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.platforms.slack.errors import error_code
from handlers.events import Actor, Role

log = logging.getLogger(__name__)

CACHE_SECONDS = 60.0
NAME_CACHE_SECONDS = 600.0  # names change rarely


class SlackPeople:
    def __init__(
        self,
        *,
        client: AsyncWebClient,
        editors: tuple[str, ...],
        proposers: tuple[str, ...],
        steering_group: str | None,
        steering_users: tuple[str, ...] = (),
        steering_channel: str | None = None,
    ) -> None:
        self._client = client
        self._editors = frozenset(editors)
        self._proposers = frozenset(proposers)
        self._steering_group = steering_group
        self._steering_users = frozenset(steering_users)
        self._steering_channel = steering_channel
        self._steering: tuple[float, frozenset[str]] | None = None
        self._steering_lock = asyncio.Lock()  # one lookup when many arrive together
        self._names: dict[str, tuple[float, str]] = {}

    async def actor(self, *, user_id: str, name: str = "") -> Actor:
        roles: set[Role] = set()
        if user_id in self._editors:
            roles.add(Role.EDITOR)
        if not self._proposers or user_id in self._proposers:
            roles.add(Role.PROPOSER)
        if user_id in await self._steering_members():
            roles.add(Role.STEERING)
        return Actor(id=user_id, name=name or await self.name_of(user_id), roles=frozenset(roles))

    async def _steering_members(self) -> frozenset[str]:
        if not self._steering_group and not self._steering_channel:
            return self._steering_users
        async with self._steering_lock:
            return self._steering_users | await self._refresh_steering()

    async def _refresh_steering(self) -> frozenset[str]:
        now = time.monotonic()
        if self._steering is not None and now - self._steering[0] < CACHE_SECONDS:
            return self._steering[1]
        try:
            members: set[str] = set()
            if self._steering_group:
                response = await self._client.usergroups_users_list(usergroup=self._steering_group)
                members.update(str(u) for u in response.get("users") or [])
            if self._steering_channel:
                members.update(await self._channel_members(self._steering_channel))
        except SlackApiError as exc:
            # Without the list nobody gains steering rights; keep the last known list.
            log.warning("could not read the steering group's members: %s", error_code(exc))
            return self._steering[1] if self._steering else frozenset()
        self._steering = (now, frozenset(members))
        return self._steering[1]

    async def _channel_members(self, channel: str) -> set[str]:
        """Every member of `channel`, page by page (Slack gives at most 1,000 a page)."""
        members: set[str] = set()
        cursor = ""
        while True:
            response = await self._client.conversations_members(
                channel=channel, limit=1000, cursor=cursor or None
            )
            members.update(str(u) for u in response.get("members") or [])
            cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                return members

    async def name_of(self, user_id: str) -> str:
        now = time.monotonic()
        cached = self._names.get(user_id)
        if cached is not None and now - cached[0] < NAME_CACHE_SECONDS:
            return cached[1]
        try:
            response = await self._client.users_info(user=user_id)
        except SlackApiError as exc:
            log.warning("could not look up user %s: %s", user_id, error_code(exc))
            return user_id
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = str(
            profile.get("display_name")
            or profile.get("real_name")
            or user.get("real_name")
            or user.get("name")
            or user_id
        )
        self._names[user_id] = (now, name)
        return name
