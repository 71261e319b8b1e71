"""`ChatPort` for Slack: post, update, react, tell someone privately, reply to a command.

Every Slack failure becomes a `PlatformError` naming the method and Slack's error
code, never a token or a payload. Attachments become real Slack files
(`slack_files`); a file that cannot be uploaded never costs the message itself.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.platforms.slack.errors import error_code
from bot.platforms.slack.files import (
    in_direct_messages,
    just_above,
    just_below,
    not_attached,
    upload_files,
)
from bot.platforms.slack.render import SlackMessage, escape, render
from handlers.emoji import emoji_name
from handlers.events import Reply
from handlers.messages import Mention, Message, text
from handlers.port import ChannelRole, Group, MessageRef, PlatformError, SendKey

log = logging.getLogger(__name__)

T = TypeVar("T")

# An owed message carries its outbox key in Slack's message metadata, so that a retry
# finds a post whose answer was lost (conversations.history) instead of posting twice.
KEY_EVENT = "postgate_outbox"
LOOK_BACK = 200  # the channel's latest messages searched for a lost post


# Slack not reached at all: the network, a timeout, the client's own failure.
_UNREACHABLE = (SlackClientError, aiohttp.ClientError, OSError, TimeoutError)


async def _call(method: str, call: Callable[[], Awaitable[T]]) -> T:
    try:
        return await call()
    except SlackApiError as exc:
        raise _refused(method, exc) from None
    except _UNREACHABLE as exc:
        raise _unreachable(method, exc) from None


def _unreachable(method: str, exc: BaseException) -> PlatformError:
    return PlatformError(f"Slack {method} failed: {type(exc).__name__}", passing=True)


def _refused(method: str, exc: SlackApiError) -> PlatformError:
    status = exc.response.status_code
    wait = exc.response.headers.get("Retry-After") if status == 429 else None
    return PlatformError(
        f"Slack {method} failed: {error_code(exc)}",
        retry_after=float(wait) if wait and str(wait).isdecimal() else None,
        passing=status == 429 or status >= 500,
    )


class SlackChatPort:
    platform = "slack"

    def __init__(
        self,
        *,
        client: AsyncWebClient,
        channels: dict[ChannelRole, str | None],
        editors: tuple[str, ...],
        steering_group: str | None,
        steering_users: tuple[str, ...] = (),
    ) -> None:
        self._client = client
        self._channels = channels
        self._editors = editors
        self._steering_group = steering_group
        self._steering_users = steering_users
        # The workspace's own address, from auth.test at start: links to messages.
        self.workspace_url = ""

    def channel_id(self, channel: ChannelRole | str) -> str:
        if not isinstance(channel, ChannelRole):
            return channel
        found = self._channels.get(channel)
        if not found:
            raise PlatformError(f"SLACK_{channel.value.upper()}_CHANNEL is not set")
        return found

    async def post(
        self, *, channel: ChannelRole | str, message: Message, key: SendKey | None = None
    ) -> MessageRef:
        target = self.channel_id(channel)
        return await self._post(channel=target, message=message, key=key)

    async def _post(
        self,
        *,
        channel: str,
        message: Message,
        thread_ts: str | None = None,
        key: SendKey | None = None,
    ) -> MessageRef:
        """The message, then its files just below it (in the same thread, if any)."""
        if key is not None and key.retry and thread_ts is None:
            found = await self._find(channel=channel, key=key.value)
            if found is not None:
                return found
        if not message.attachments:
            return await self._send(
                channel=channel, rendered=render(message), thread_ts=thread_ts, key=key
            )
        files = message.attachments
        note = just_below(files)
        ref = await self._send(
            channel=channel, rendered=render(message, attachments_note=note), thread_ts=thread_ts
        )
        reason = await upload_files(
            self._client, channel=ref.channel, attachments=files, thread_ts=thread_ts
        )
        if reason is not None:
            try:
                await self._update(
                    ref=ref,
                    rendered=render(message, attachments_note=not_attached(files, reason=reason)),
                )
            except PlatformError as exc:
                log.warning("%s; the message still says the files are below", exc)
        return ref

    async def _find(self, *, channel: str, key: str) -> MessageRef | None:
        """postgate's recent message in `channel` that carries `key`, if there is one."""
        answer = await _call(
            "conversations.history",
            lambda: self._client.conversations_history(
                channel=channel, limit=LOOK_BACK, include_all_metadata=True
            ),
        )
        for found in answer.get("messages") or []:
            metadata = found.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == KEY_EVENT and payload.get("key") == key:
                return MessageRef(channel=channel, message_id=str(found["ts"]))
        return None

    async def _send(
        self,
        *,
        channel: str,
        rendered: SlackMessage,
        thread_ts: str | None = None,
        key: SendKey | None = None,
    ) -> MessageRef:
        extra: dict[str, Any] = {"thread_ts": thread_ts} if thread_ts else {}
        if key is not None:
            extra["metadata"] = {"event_type": KEY_EVENT, "event_payload": {"key": key.value}}
        response = await _call(
            "chat.postMessage",
            lambda: self._client.chat_postMessage(
                channel=channel,
                text=rendered.text,
                blocks=rendered.blocks,
                unfurl_links=False,
                unfurl_media=False,
                **extra,
            ),
        )
        return MessageRef(
            channel=str(response.get("channel") or channel), message_id=str(response["ts"])
        )

    async def update(self, *, ref: MessageRef, message: Message) -> None:
        # Slack cannot add files to a message that exists: attachments stay named only.
        await self._update(ref=ref, rendered=render(message))

    async def _update(self, *, ref: MessageRef, rendered: SlackMessage) -> None:
        await _call(
            "chat.update",
            lambda: self._client.chat_update(
                channel=ref.channel, ts=ref.message_id, text=rendered.text, blocks=rendered.blocks
            ),
        )

    async def react(self, *, ref: MessageRef, emoji: str) -> None:
        try:
            await self._client.reactions_add(
                channel=ref.channel, timestamp=ref.message_id, name=emoji_name(emoji)
            )
        except SlackApiError as exc:
            if error_code(exc) == "already_reacted":
                return
            raise _refused("reactions.add", exc) from None  # with a 429's Retry-After
        except _UNREACHABLE as exc:
            raise _unreachable("reactions.add", exc) from None

    async def notify(
        self,
        *,
        user_id: str,
        message: Message,
        about: MessageRef | None = None,
        key: SendKey | None = None,
    ) -> None:
        """A DM; if Slack refuses one, a thread reply on `about` that mentions them. A
        failure that passes (a 429, a 5xx) is raised instead, so the DM is tried again."""
        try:
            await self.direct_message(user_id=user_id, message=message, key=key)
            return
        except PlatformError as exc:
            if about is None or exc.passing:
                raise
            log.warning("%s; telling %s in the card's thread instead", exc, user_id)
        await self._post(
            channel=about.channel,
            message=_addressed_to(user_id, message),
            thread_ts=about.message_id,
        )

    async def direct_message(
        self, *, user_id: str, message: Message, key: SendKey | None = None
    ) -> MessageRef:
        return await self._post(channel=await self._dm_channel(user_id), message=message, key=key)

    async def _dm_channel(self, user_id: str) -> str:
        opened = await _call(
            "conversations.open", lambda: self._client.conversations_open(users=user_id)
        )
        channel = opened.get("channel") or {}
        return str(channel.get("id"))

    def link(self, ref: MessageRef) -> str | None:
        """Slack's permalink shape: the workspace, the channel, the ts without its dot."""
        if not self.workspace_url.startswith("https://"):
            return None
        base = self.workspace_url.rstrip("/")
        return f"{base}/archives/{ref.channel}/p{ref.message_id.replace('.', '')}"

    def members_of(self, group: Group) -> tuple[Mention, ...]:
        if group is Group.EDITORS:
            return tuple(Mention.user(u) for u in self._editors)
        if group is Group.STEERING and self._steering_group:
            return (Mention.group(self._steering_group, "steering group"),)
        if group is Group.STEERING:
            # No user group (the free plan): the listed members by name. Members of the
            # steering channel need no mention: reminders go to that channel.
            return tuple(Mention.user(u) for u in self._steering_users)
        return ()

    async def reply(
        self, *, reply: Reply, user_id: str, channel_id: str, response_url: str = ""
    ) -> None:
        """Answer whoever typed a command: privately (ephemeral) unless the reply is for
        the channel. Uses the command's response_url when there is one (it works in DMs
        and channels the bot is not in), else the Web API.

        Files go first, so the reply can say where they are: Slack has no private files,
        so a private reply's files go to the person's DMs with postgate; a reply for the
        channel has its files in the channel."""
        message = reply.message
        private = reply.visibility == "private"
        dm_channel: str | None = None  # the DM that holds the reply's files, if it does
        note: str | None = None
        if message.attachments and (private or not channel_id):
            dm_channel, note = await self._files_to_dm(user_id=user_id, message=message)
        elif message.attachments:
            reason = await upload_files(
                self._client, channel=channel_id, attachments=message.attachments
            )
            files = message.attachments
            note = just_above(files) if reason is None else not_attached(files, reason=reason)
        rendered = render(message, attachments_note=note)
        if response_url and await self._respond(
            url=response_url, rendered=rendered, private=private
        ):
            return
        if channel_id and not private:
            await self._send(channel=channel_id, rendered=rendered)
            return
        if channel_id:
            try:
                await _call(
                    "chat.postEphemeral",
                    lambda: self._client.chat_postEphemeral(
                        channel=channel_id, user=user_id, text=rendered.text, blocks=rendered.blocks
                    ),
                )
            except PlatformError as exc:
                # Ephemeral messages fail where the bot is not a member: a DM reaches them
                # anyway (beside the reply's files, when they went there already).
                log.warning("%s; replying to %s by DM", exc, user_id)
            else:
                return
        # No channel (a DM), or no ephemeral possible: the person's DM with postgate.
        await self._send(channel=dm_channel or await self._dm_channel(user_id), rendered=rendered)

    async def _respond(self, *, url: str, rendered: SlackMessage, private: bool) -> bool:
        """Answer through the command's response_url; False if that did not work."""
        webhook = AsyncWebhookClient(url)
        try:
            answer = await webhook.send(
                text=rendered.text,
                blocks=rendered.blocks,
                response_type="ephemeral" if private else "in_channel",
                unfurl_links=False,
                unfurl_media=False,
            )
        except (OSError, TimeoutError) as exc:
            log.warning("response_url failed (%s); using the Web API", type(exc).__name__)
            return False
        if answer.status_code == 200:
            return True
        log.warning("response_url answered %s; using the Web API", answer.status_code)
        return False

    async def _files_to_dm(self, *, user_id: str, message: Message) -> tuple[str | None, str]:
        """Upload a private reply's files to the person's DM with postgate: the DM's id
        (None if it could not be opened) and the note that says where the files are."""
        files = message.attachments
        try:
            dm_channel = await self._dm_channel(user_id)
        except PlatformError as exc:
            log.warning("%s; the reply's files were not uploaded", exc)
            return None, not_attached(files, reason="cannot_open_dm")
        reason = await upload_files(
            self._client,
            channel=dm_channel,
            attachments=files,
            initial_comment=escape(message.title) if message.title else None,
        )
        if reason is not None:
            return dm_channel, not_attached(files, reason=reason)
        return dm_channel, in_direct_messages(files)


def _addressed_to(user_id: str, message: Message) -> Message:
    """The same message with the person's mention first, for a public thread reply."""
    return replace(message, body=text(Mention.user(user_id), " ", message.body or ""))
