"""The one interface handlers use to talk to a chat platform.

Each platform (`bot/platforms/`) implements `ChatPort`; handlers never import a
platform SDK. Channels are named by role; the adapter maps a role to its own
channel id from the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from handlers.messages import Mention, Message


class ChannelRole(StrEnum):
    REVIEW = "review"
    APPROVED = "approved"
    STEERING = "steering"


class Group(StrEnum):
    EDITORS = "editors"
    STEERING = "steering"


@dataclass(frozen=True, slots=True)
class MessageRef:
    """Where a posted message lives, enough to update it or react to it later."""

    channel: str
    message_id: str


@dataclass(frozen=True, slots=True)
class SendKey:
    """Marks a message postgate owes, so that a retry finds an earlier attempt whose
    answer was lost instead of posting the message twice."""

    value: str  # at most 25 characters (Discord's nonce)
    retry: bool  # an earlier attempt was made: look for it before posting


class ChatPort(Protocol):
    """What a platform offers handlers. Every method may raise `PlatformError`."""

    @property
    def platform(self) -> str:
        """`local`, `slack` or `discord`."""
        ...

    async def post(
        self, *, channel: ChannelRole | str, message: Message, key: SendKey | None = None
    ) -> MessageRef:
        """Post to a channel named by role (or by the platform's own id); with a `key`
        on a retry, the message posted by an earlier attempt if there is one."""
        ...

    async def update(self, *, ref: MessageRef, message: Message) -> None:
        """Replace a message postgate posted earlier."""
        ...

    async def react(self, *, ref: MessageRef, emoji: str) -> None:
        """Add postgate's own reaction; `emoji` is a name such as `white_check_mark`."""
        ...

    async def notify(
        self,
        *,
        user_id: str,
        message: Message,
        about: MessageRef | None = None,
        key: SendKey | None = None,
    ) -> None:
        """Tell one person something privately (a DM, or a thread reply on `about`);
        `key` as for `post`."""
        ...

    def members_of(self, group: Group) -> tuple[Mention, ...]:
        """Who is in a group, as mentions: the card lists who may decide."""
        ...

    def link(self, ref: MessageRef) -> str | None:
        """A web address people can follow to a message; None where there is none."""
        ...


class PlatformError(Exception):
    """A platform call failed after its own retries; the message is safe to log.
    `retry_after`: the seconds the platform asked to wait (a 429's Retry-After).
    `passing`: the same call may well succeed later (a 429, a 5xx, the network), as
    against a refusal that stands (a member who takes no direct messages)."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, passing: bool = False
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.passing = passing or retry_after is not None
