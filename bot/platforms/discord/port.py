"""`ChatPort` on Discord: cards as embeds, edits in place, DMs for private notes."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import discord

from bot.platforms.discord.render import DiscordMessage, mention_markup, render
from handlers.emoji import emoji_char
from handlers.messages import Mention, Message
from handlers.port import ChannelRole, Group, MessageRef, PlatformError, SendKey

log = logging.getLogger(__name__)
T = TypeVar("T")


class DiscordPort:
    """Talks to Discord through one connected `discord.Client`.

    It needs no cache: messages are addressed by channel and message id (partial
    objects), so cards posted before a restart can still be edited.
    """

    platform = "discord"

    def __init__(
        self,
        *,
        client: discord.Client,
        guild_id: int,
        channels: dict[ChannelRole, int | None],
        groups: dict[Group, Mention | None],
    ) -> None:
        self._client = client
        self._guild_id = guild_id
        self._channels = channels
        self._groups = groups

    def _channel_id(self, channel: ChannelRole | str) -> int:
        if isinstance(channel, ChannelRole):
            found = self._channels.get(channel)
            if found is None:
                raise PlatformError(
                    f"no Discord channel is set for the {channel.value} channel "
                    f"(DISCORD_{channel.value.upper()}_CHANNEL)"
                )
            return found
        if not channel.isdecimal():
            raise PlatformError(f"{channel!r} is not a Discord channel id")
        return int(channel)

    def _messageable(self, channel_id: int) -> discord.PartialMessageable:
        return self._client.get_partial_messageable(channel_id)

    async def post(
        self, *, channel: ChannelRole | str, message: Message, key: SendKey | None = None
    ) -> MessageRef:
        channel_id = self._channel_id(channel)
        target = self._messageable(channel_id)
        (card,) = render(message, single=True)
        sent = await _call(
            f"posting to channel {channel_id}", lambda: send_part(target, card, nonce=_nonce(key))
        )
        return MessageRef(str(channel_id), str(sent.id))

    async def update(self, *, ref: MessageRef, message: Message) -> None:
        (card,) = render(message, single=True)
        partial = self._messageable(int(ref.channel)).get_partial_message(int(ref.message_id))
        await _call(
            f"editing message {ref.message_id}",
            lambda: partial.edit(
                content=card.content or None,
                embeds=list(card.embeds),
                allowed_mentions=card.allowed_mentions,
            ),
        )

    async def react(self, *, ref: MessageRef, emoji: str) -> None:
        partial = self._messageable(int(ref.channel)).get_partial_message(int(ref.message_id))
        await _call(
            f"reacting to message {ref.message_id}",
            lambda: partial.add_reaction(emoji_char(emoji)),
        )

    async def notify(
        self,
        *,
        user_id: str,
        message: Message,
        about: MessageRef | None = None,
        key: SendKey | None = None,
    ) -> None:
        """A DM; when the member does not accept DMs from the bot, a reply to `about`
        (or a message in the review channel) that mentions them."""
        parts = render(message)
        try:
            dm = await self._client.create_dm(discord.Object(int(user_id)))
            for i, part in enumerate(parts):
                await send_part(dm, part, nonce=_nonce(key, i))
            return
        except discord.Forbidden as exc:
            log.info("no DM to %s (%s %s); replying in the channel", user_id, exc.status, exc.code)
        except discord.HTTPException as exc:
            raise PlatformError(
                f"Discord refused a DM: HTTP {exc.status} (code {exc.code})"
            ) from None
        await self._reply_in_channel(user_id=user_id, parts=parts, about=about, key=key)

    async def _reply_in_channel(
        self,
        *,
        user_id: str,
        parts: Sequence[DiscordMessage],
        about: MessageRef | None,
        key: SendKey | None,
    ) -> None:
        who = Mention.user(user_id)
        channel_id = int(about.channel) if about else self._channel_id(ChannelRole.REVIEW)
        target = self._messageable(channel_id)
        reference = (
            discord.MessageReference(
                message_id=int(about.message_id), channel_id=channel_id, fail_if_not_exists=False
            )
            if about
            else None
        )
        for i, part in enumerate(parts):
            if i == 0:
                allowed = part.allowed_mentions.merge(
                    discord.AllowedMentions(users=[discord.Object(int(user_id))])
                )
                content = " ".join(p for p in (mention_markup(who), part.content) if p)
                part = replace(part, content=content, allowed_mentions=allowed)
            send = functools.partial(
                send_part, target, part, reference if i == 0 else None, nonce=_nonce(key, i, "c")
            )
            await _call(f"replying in channel {channel_id}", send)

    def link(self, ref: MessageRef) -> str | None:
        return f"https://discord.com/channels/{self._guild_id}/{ref.channel}/{ref.message_id}"

    def members_of(self, group: Group) -> tuple[Mention, ...]:
        found = self._groups.get(group)
        return (found,) if found is not None else ()


def _nonce(key: SendKey | None, part: int = 0, where: str = "") -> str | None:
    """Discord's nonce for an owed message (discord.py sends it with enforce_nonce):
    a retry within minutes gets the message an earlier attempt made, not a second one."""
    if key is None:
        return None
    return f"{key.value}{where}" if part == 0 else f"{key.value}{where}.{part}"


async def send_part(
    target: discord.abc.Messageable,
    part: DiscordMessage,
    reference: discord.MessageReference | None = None,
    *,
    nonce: str | None = None,
) -> discord.Message:
    extra: dict[str, Any] = {} if nonce is None else {"nonce": nonce}
    if reference is not None:
        extra.update(reference=reference, mention_author=False)
    return await target.send(
        content=part.content or None,
        embeds=list(part.embeds),
        files=part.discord_files(),
        allowed_mentions=part.allowed_mentions,
        **extra,
    )


async def _call(action: str, call: Callable[[], Awaitable[T]]) -> T:
    """Run one Discord call; its failure becomes a `PlatformError` safe to log."""
    try:
        return await call()
    except discord.HTTPException as exc:
        raise PlatformError(
            f"Discord refused {action}: HTTP {exc.status} (code {exc.code})"
        ) from None
