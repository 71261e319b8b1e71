"""The neutral events as JSON, for the inbox: what is stored is exactly what a handler
is given (an `Invocation` or a `ReactionEvent` with its `Actor`), nothing of the
platform's own payload, and no response URL or interaction token. A dumped event is
plain data (strings, numbers, booleans, None, lists and dicts), nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.events import Actor, Invocation, ReactionEvent, Role
from handlers.port import MessageRef
from storage.models import InboxKind

Event = Invocation | ReactionEvent
FORMAT = 1


class UnreadableEvent(ValueError):
    """A stored event this build cannot read (written by another version)."""


def kind_of(event: Event) -> InboxKind:
    return InboxKind.COMMAND if isinstance(event, Invocation) else InboxKind.REACTION


def _actor(actor: Actor) -> dict[str, Any]:
    # Plain strings, not the enum: the SQLite journal keeps plain data only.
    return {"id": actor.id, "name": actor.name, "roles": sorted(role.value for role in actor.roles)}


def dump_event(event: Event) -> dict[str, Any]:
    common = {"format": FORMAT, "workspace": event.workspace, "actor": _actor(event.actor)}
    if isinstance(event, Invocation):
        return common | {"command": event.command, "text": event.text, "channel": event.channel}
    message = event.message
    return common | {
        "emoji": event.emoji,
        "added": event.added,
        "message": None
        if message is None
        else {"channel": message.channel, "message_id": message.message_id},
        "proposal_id": event.proposal_id,
        "event_id": event.event_id,
    }


def _load_actor(data: Mapping[str, Any]) -> Actor:
    return Actor(
        id=str(data["id"]),
        name=str(data["name"]),
        roles=frozenset(Role(r) for r in data.get("roles", [])),
    )


def load_event(kind: str, data: Mapping[str, Any]) -> Event:
    if data.get("format") != FORMAT:
        raise UnreadableEvent(f"stored event format {data.get('format')!r}")
    try:
        workspace, actor = str(data["workspace"]), _load_actor(data["actor"])
        if kind == InboxKind.COMMAND:
            channel = data.get("channel")
            return Invocation(
                workspace=workspace,
                actor=actor,
                command=str(data["command"]),
                text=str(data["text"]),
                channel=None if channel is None else str(channel),
            )
        if kind == InboxKind.REACTION:
            message = data.get("message")
            proposal_id = data.get("proposal_id")
            event_id = data.get("event_id")
            return ReactionEvent(
                workspace=workspace,
                actor=actor,
                emoji=str(data["emoji"]),
                added=bool(data["added"]),
                message=None
                if message is None
                else MessageRef(str(message["channel"]), str(message["message_id"])),
                proposal_id=None if proposal_id is None else int(proposal_id),
                event_id=None if event_id is None else str(event_id),
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise UnreadableEvent(f"stored {kind} event: {type(exc).__name__}") from None
    raise UnreadableEvent(f"unknown inbox kind {kind!r}")
