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


class ChatPort(Protocol):
    """What a platform offers handlers. Every method may raise `PlatformError`."""

    @property
    def platform(self) -> str:
        """`local`, `slack` or `discord`."""
        ...

    async def post(self, *, channel: ChannelRole | str, message: Message) -> MessageRef:
        """Post to a channel named by role (or by the platform's own id)."""
        ...

    async def update(self, *, ref: MessageRef, message: Message) -> None:
        """Replace a message postgate posted earlier."""
        ...

    async def react(self, *, ref: MessageRef, emoji: str) -> None:
        """Add postgate's own reaction; `emoji` is a name such as `white_check_mark`."""
        ...

    async def notify(
        self, *, user_id: str, message: Message, about: MessageRef | None = None
    ) -> None:
        """Tell one person something privately (a DM, or a thread reply on `about`)."""
        ...

    def members_of(self, group: Group) -> tuple[Mention, ...]:
        """Who is in a group, as mentions: the card lists who may decide."""
        ...


class PlatformError(Exception):
    """A platform call failed after its own retries; the message is safe to log."""
