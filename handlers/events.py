"""Neutral inputs: a command someone typed, a reaction someone added or removed.

Adapters parse a platform payload once into these, at the border, and never pass
raw platform dicts inward.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from handlers.messages import Message
from handlers.port import MessageRef


class Role(StrEnum):
    EDITOR = "editor"
    PROPOSER = "proposer"  # may propose; adapters grant it to everyone when no list is set
    STEERING = "steering"


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str
    roles: frozenset[Role] = field(default_factory=frozenset)

    @property
    def is_editor(self) -> bool:
        return Role.EDITOR in self.roles

    @property
    def is_steering(self) -> bool:
        return Role.STEERING in self.roles


@dataclass(frozen=True, slots=True, kw_only=True)
class Invocation:
    """`/command text` as typed by `actor` in `workspace`."""

    workspace: str
    actor: Actor
    command: str
    text: str
    channel: str | None = None
    # The platform named the plain form itself (Discord's `/propose new`): the text is
    # that form's, whatever word it starts with, and never runs another subcommand.
    plain: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ReactionEvent:
    """A reaction added or removed. `message` names the card; the local workspace
    names the proposal instead. `event_id` is the platform's delivery id."""

    workspace: str
    actor: Actor
    emoji: str
    added: bool
    message: MessageRef | None = None
    proposal_id: int | None = None
    event_id: str | None = None
    on_reconnect: bool = False


Visibility = Literal["private", "channel"]


@dataclass(frozen=True, slots=True)
class Reply:
    """What the person who typed a command sees: privately by default."""

    message: Message
    visibility: Visibility = "private"
