"""Who someone is in Slack, as postgate sees it: a name and roles.

Editors and proposers come from the settings; the steering group from Slack's user
group membership (`usergroups.users.list`), and display names from `users.info`.
Both are cached briefly: a busy review channel should not cost an API call a reaction.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.events import Actor, Role

log = logging.getLogger(__name__)

CACHE_SECONDS = 60.0


class SlackPeople:
    def __init__(
        self,
        *,
        client: AsyncWebClient,
        editors: tuple[str, ...],
        proposers: tuple[str, ...],
        steering_group: str | None,
        cache_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._editors = frozenset(editors)
        self._proposers = frozenset(proposers)
        self._steering_group = steering_group
        self._cache_seconds = cache_seconds
        self._clock = clock
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
        if not self._steering_group:
            return frozenset()
        async with self._steering_lock:
            return await self._refresh_steering(self._steering_group)

    async def _refresh_steering(self, group: str) -> frozenset[str]:
        now = self._clock()
        if self._steering is not None and now - self._steering[0] < self._cache_seconds:
            return self._steering[1]
        try:
            response = await self._client.usergroups_users_list(usergroup=group)
            users = response.get("users") or []
            members = frozenset(str(u) for u in users)
        except SlackApiError as exc:
            # Without the list nobody gains steering rights; keep the last known list.
            log.warning("could not read the steering user group: %s", exc.response.get("error"))
            return self._steering[1] if self._steering else frozenset()
        self._steering = (now, members)
        return members

    async def name_of(self, user_id: str) -> str:
        now = self._clock()
        cached = self._names.get(user_id)
        if cached is not None and now - cached[0] < self._cache_seconds * 10:
            return cached[1]
        try:
            response = await self._client.users_info(user=user_id)
        except SlackApiError as exc:
            log.warning("could not look up user %s: %s", user_id, exc.response.get("error"))
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
