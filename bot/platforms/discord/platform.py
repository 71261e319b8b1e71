"""The Discord platform: a discord.py `commands.Bot` inside the runtime's asyncio loop.

`start()` logs in, connects to the gateway, waits (bounded) until ready, syncs the
app commands to `DISCORD_GUILD_ID` so they appear at once, and returns. Votes come
from raw reaction events, which fire whatever the cache holds (after a restart too).

Commands and votes are deliveries (`handlers.delivery`): received before they are
acknowledged or handled, and what a stop cut short runs again once the next start
has connected (answers to commands then come by direct message).

On every READY and RESUMED from the gateway (the first connection included) it reads
back the reactions on the open cards (`handlers.proposals.reconcile`): votes made
while it was not listening count then.

Intents: `guilds` (the guild, its channels and roles) and `guild_reactions` (votes).
No privileged intent: roles come from the member object in each interaction and
each reaction added; a reaction removed carries no member, so its roles are fetched
over REST, which needs no intent either.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import uuid
from contextlib import AbstractAsyncContextManager
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.platforms.base import Platform
from bot.platforms.discord.commands import SORRY, CommandBridge
from bot.platforms.discord.endpoints import Endpoints, point_discord_at
from bot.platforms.discord.events import (
    RoleMap,
    actor_from_member,
    delivery_id,
    reaction_event,
    workspace_key,
)
from bot.platforms.discord.port import DiscordPort
from bot.platforms.discord.render import render
from bot.settings import Settings
from handlers.context import Context, Services
from handlers.delivery import Deliveries, ReadBack
from handlers.emoji import emoji_name
from handlers.events import Actor
from handlers.messages import Mention
from handlers.port import ChannelRole, Group, MessageRef, PlatformError
from handlers.proposals.reconcile import reconcile

log = logging.getLogger(__name__)

READY_TIMEOUT = 30.0  # seconds to log in, connect and receive the guild
SHUTDOWN_GRACE_SECONDS = 5.0  # for work in flight at a stop
_RAW_REACTIONS = ("raw_reaction_add", "raw_reaction_remove")


class _Bot(commands.Bot):
    """A `commands.Bot` whose raw reaction events also carry their delivery id."""

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        if event_name in _RAW_REACTIONS:
            # Runs synchronously while the gateway handles this very dispatch, so the
            # socket's session and sequence are this event's own.
            ws = self.ws
            args = (
                *args,
                delivery_id(
                    session_id=getattr(ws, "session_id", None),
                    sequence=getattr(ws, "sequence", None),
                ),
            )
        super().dispatch(event_name, *args, **kwargs)


class DiscordPlatform:
    name = "discord"

    def __init__(
        self,
        *,
        settings: Settings,
        services: Services,
        ready_timeout: float = READY_TIMEOUT,
        guild_ready_timeout: float = 2.0,
        shutdown_grace: float = SHUTDOWN_GRACE_SECONDS,
    ) -> None:
        if settings.discord_token is None:
            raise ValueError("DISCORD_TOKEN is not set")
        if settings.discord_guild_id is None:
            raise ValueError(
                "DISCORD_GUILD_ID is not set: postgate serves one Discord server, by its id"
            )
        self._settings = settings
        self._services = services
        self._guild_id = settings.discord_guild_id
        self._ready_timeout = ready_timeout
        self._shutdown_grace = shutdown_grace
        self._deliveries: Deliveries | None = None
        self._reading_back: ReadBack | None = None
        self.replaying: asyncio.Task[int] | None = None  # an earlier process's work
        self._guild_ready_timeout = guild_ready_timeout
        self._role_map = RoleMap(
            editor=settings.discord_editor_role,
            proposer=settings.discord_proposer_role,
            steering=settings.discord_steering_role,
        )
        self._bot: _Bot | None = None
        self.task: asyncio.Task[None] | None = None  # the running `bot.start()`
        self._restore: Endpoints | None = None
        self._port: DiscordPort | None = None

    @property
    def workspace(self) -> str:
        return workspace_key(self._guild_id)

    @property
    def port(self) -> DiscordPort:
        if self._port is None:
            raise PlatformError("the Discord platform has not started")
        return self._port

    def _build(self) -> _Bot:
        bot = _Bot(
            command_prefix=commands.when_mentioned,
            # Every other intent off: postgate needs no privileged one (module docstring).
            intents=discord.Intents(guilds=True, guild_reactions=True),
            help_command=None,
            guild_ready_timeout=self._guild_ready_timeout,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        s = self._settings
        editors = (
            Mention.group(str(s.discord_editor_role), "editors") if s.discord_editor_role else None
        )
        steering = (
            Mention.group(str(s.discord_steering_role), "steering group")
            if s.discord_steering_role
            else None
        )
        self._port = DiscordPort(
            client=bot,
            guild_id=self._guild_id,
            channels={
                ChannelRole.REVIEW: s.discord_review_channel,
                ChannelRole.APPROVED: s.discord_approved_channel,
                ChannelRole.STEERING: s.discord_steering_channel,
            },
            groups={Group.EDITORS: editors, Group.STEERING: steering},
        )
        deliveries = self._deliveries = Deliveries(
            Context(services=self._services, port=self._port, workspace=self.workspace),
            refresh=functools.partial(self._actor_now, bot),
            replay_first=True,
        )
        CommandBridge(
            deliveries=deliveries, role_map=self._role_map, guild_id=self._guild_id
        ).register(bot.tree)
        bot.tree.on_error = self._on_command_error  # type: ignore[method-assign]

        async def on_raw_reaction(
            payload: discord.RawReactionActionEvent, event_id: str | None
        ) -> None:
            await self._on_reaction(bot, deliveries, payload, event_id)

        async def reading_back(turn: AbstractAsyncContextManager[object]) -> None:
            await reconcile(
                deliveries.ctx,
                read=functools.partial(self._reactions_on, bot),
                who=functools.partial(self._member, bot),
                turn=turn,
            )

        async def read_back() -> None:
            deliveries.spawn(deliveries.read_back(reading_back), name="postgate-discord-read-back")

        self._reading_back = reading_back

        for event in _RAW_REACTIONS:  # an added and a removed reaction, the same way
            bot.add_listener(on_raw_reaction, f"on_{event}")
        bot.add_listener(read_back, "on_ready")
        bot.add_listener(read_back, "on_resumed")
        return bot

    async def start(self) -> None:
        if self._bot is not None:
            return
        token = self._settings.discord_token
        assert token is not None
        self._restore = point_discord_at(
            api_url=self._settings.discord_api_url,
            gateway_url=self._settings.discord_gateway_url,
        )
        # Any delivery received before this moment is an earlier process's.
        started_at = self._services.clock.now()
        bot = self._bot = self._build()
        task = self.task = asyncio.create_task(
            bot.start(token.get_secret_value()), name="postgate-discord"
        )
        ready = asyncio.create_task(bot.wait_until_ready())
        try:
            done, _ = await asyncio.wait(
                {task, ready}, timeout=self._ready_timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if task in done:
                raise PlatformError(f"Discord closed before it was ready: {_describe(task)}")
            if ready not in done:
                raise PlatformError(f"Discord was not ready within {self._ready_timeout:g} seconds")
            synced = await bot.tree.sync(guild=discord.Object(self._guild_id))
            log.info("synced %d Discord commands to server %s", len(synced), self._guild_id)
            assert self._deliveries is not None  # built with the bot
            self.replaying = asyncio.create_task(
                # Then the cards read back: the votes made while none listened.
                self._deliveries.replay(before=started_at, read_back=self._reading_back),
                name="postgate-discord-replay",
            )
        except BaseException:
            ready.cancel()
            await self.stop()
            raise

    async def wait_closed(self) -> None:
        """Return if the connection ends by itself (discord.py reconnects on its own, so
        only a fatal error ends it); the runtime then stops, and a supervisor can restart."""
        task = self.task
        if task is None:
            return
        try:
            # Shielded: the runtime cancels this wait at shutdown, and the bot must then
            # close through stop(), not be cancelled mid-connection.
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if not task.cancelled():
                raise
        except Exception:
            log.error("the Discord connection ended: %s", _describe(task))

    async def stop(self) -> None:
        bot, task, restore = self._bot, self.task, self._restore
        self._bot = self.task = self._restore = None
        replaying, self.replaying = self.replaying, None
        if self._deliveries is not None:
            await self._deliveries.stop(grace=self._shutdown_grace)
        if replaying is not None:
            replaying.cancel()  # not yet started: the next start replays instead
            await asyncio.gather(replaying, return_exceptions=True)
        try:
            if bot is not None:
                await bot.close()
            if task is not None:
                try:
                    await asyncio.wait_for(task, timeout=10)
                except (asyncio.CancelledError, TimeoutError):
                    pass
                except Exception as exc:
                    log.warning("the Discord connection ended with %s", type(exc).__name__)
        finally:
            if restore is not None:
                restore.apply()

    async def _on_reaction(
        self,
        bot: commands.Bot,
        deliveries: Deliveries,
        payload: discord.RawReactionActionEvent,
        event_id: str | None,
    ) -> None:
        if bot.user is not None and payload.user_id == bot.user.id:
            return  # postgate's own reactions on its cards
        if payload.guild_id != self._guild_id:
            return
        try:
            actor = self._reactor(payload)
            event = reaction_event(payload, actor=actor, guild_id=self._guild_id, event_id=event_id)
            # A dispatch without a delivery id cannot be told from a redelivery: a key
            # of its own still makes it a delivery like any other.
            key = f"discord-reaction:{event_id or uuid.uuid4().hex}"
            if await deliveries.receive(key=key, event=event):
                await deliveries.run(key=key, event=event)
        except Exception:
            log.exception(
                "a reaction on message %s by %s was not handled",
                payload.message_id,
                payload.user_id,
            )

    def _reactor(self, payload: discord.RawReactionActionEvent) -> Actor:
        if payload.member is not None:
            return actor_from_member(payload.member, role_map=self._role_map)
        # A removal carries no member: its roles are asked for in its turn (`_actor_now`),
        # so that it keeps its place behind what came before it.
        return Actor(id=str(payload.user_id), name="")

    async def _actor_now(self, bot: commands.Bot, received: Actor) -> Actor:
        """Who a delivery's member is, asked of Discord (no intent needed) only when the
        payload did not say."""
        return received if received.name else await self._member(bot, received.id)

    async def _member(self, bot: commands.Bot, user_id: str) -> Actor:
        """Who a member is now, with their roles, over REST."""
        try:
            data = await bot.http.get_member(self._guild_id, int(user_id))
        except discord.NotFound:
            return Actor(id=user_id, name=user_id, roles=frozenset())
        user = data.get("user", {})
        name = data.get("nick") or user.get("global_name") or user.get("username") or ""
        role_ids = [int(r) for r in data.get("roles", [])]
        return Actor(id=user_id, name=name or user_id, roles=self._role_map.roles_for(role_ids))

    async def _reactions_on(self, bot: commands.Bot, ref: MessageRef) -> list[tuple[str, str]]:
        """Every (emoji, user id) standing on a message: the message's reactions, then
        each one's users, a page of 100 at a time."""
        message = await bot.http.get_message(int(ref.channel), int(ref.message_id))
        standing: list[tuple[str, str]] = []
        for reaction in message.get("reactions") or []:
            emoji = reaction["emoji"]
            name = emoji.get("name") or ""
            wanted = f"{name}:{emoji['id']}" if emoji.get("id") else name
            after: str | None = None
            while True:
                users = await bot.http.get_reaction_users(
                    ref.channel, ref.message_id, wanted, 100, after=after
                )
                standing += [(emoji_name(name), str(user["id"])) for user in users]
                if len(users) < 100:
                    break
                after = str(users[-1]["id"])
        return standing

    async def _on_command_error(
        self, interaction: discord.Interaction[discord.Client], error: Exception
    ) -> None:
        if isinstance(error, app_commands.CommandNotFound):
            # Discord still lists a command this version dropped; the next sync removes it.
            log.warning("Discord sent /%s, which postgate no longer has", error.name)
        else:
            log.error(
                "a Discord interaction failed: %s",
                type(getattr(error, "original", error)).__name__,
                exc_info=error,
            )
        (part, *_) = render(SORRY)
        with contextlib.suppress(discord.HTTPException):
            if interaction.response.is_done():
                await interaction.followup.send(embeds=list(part.embeds), ephemeral=True)
            else:
                await interaction.response.send_message(embeds=list(part.embeds), ephemeral=True)


def _describe(task: asyncio.Task[None]) -> str:
    if task.cancelled():
        return "cancelled"
    exc = task.exception()
    if exc is None:
        return "closed"
    if isinstance(exc, discord.LoginFailure):
        return "the token was refused (check DISCORD_TOKEN)"
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        return "an intent is not enabled for the application"
    return type(exc).__name__


def create_platform(settings: Settings, services: Services) -> Platform:
    return DiscordPlatform(settings=settings, services=services)
