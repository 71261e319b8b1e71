"""The border: Discord members, interactions and raw reactions become neutral
`Actor`s, `Invocation`s and `ReactionEvent`s here, and nowhere else.

Roles come from the payload itself (the member object Discord attaches to every
interaction and every reaction added), so postgate needs no privileged members
intent and works after a restart with nothing cached.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import discord

from handlers.emoji import emoji_name
from handlers.events import Actor, Invocation, ReactionEvent, Role
from handlers.port import MessageRef


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleMap:
    """Which Discord role ids grant which postgate roles (from the settings)."""

    editor: int | None = None
    proposer: int | None = None  # None: everyone in the server may propose
    steering: int | None = None

    def roles_for(self, role_ids: Iterable[int]) -> frozenset[Role]:
        held = set(role_ids)
        roles: set[Role] = set()
        if self.editor is not None and self.editor in held:
            roles.add(Role.EDITOR)
        if self.proposer is None or self.proposer in held:
            roles.add(Role.PROPOSER)
        if self.steering is not None and self.steering in held:
            roles.add(Role.STEERING)
        return frozenset(roles)


def workspace_key(guild_id: int) -> str:
    return f"discord:{guild_id}"


def member_role_ids(member: discord.Member | discord.User | None) -> frozenset[int]:
    """The role ids exactly as the payload listed them.

    discord.py keeps them on `Member._roles`; the public `Member.roles` drops any id its
    guild cache does not know (a guild still unavailable after a restart), which would
    silently demote an editor, so the payload's ids are read directly.
    """
    if not isinstance(member, discord.Member):
        return frozenset()
    raw = getattr(member, "_roles", None)
    if raw is not None:
        return frozenset(int(r) for r in raw)
    return frozenset(role.id for role in member.roles)


def actor_from_member(member: discord.Member | discord.User, *, role_map: RoleMap) -> Actor:
    roles = role_map.roles_for(member_role_ids(member))
    return Actor(id=str(member.id), name=member.display_name, roles=roles)


def invocation_from(
    interaction: discord.Interaction[discord.Client],
    *,
    command: str,
    text: str,
    role_map: RoleMap,
    guild_id: int,
    plain: bool = False,
) -> Invocation:
    return Invocation(
        workspace=workspace_key(guild_id),
        actor=actor_from_member(interaction.user, role_map=role_map),
        command=command,
        text=text,
        channel=str(interaction.channel_id) if interaction.channel_id is not None else None,
        plain=plain,
    )


def delivery_id(*, session_id: str | None, sequence: int | None) -> str | None:
    """A gateway dispatch's identity: its session and sequence number.

    Within one gateway session every dispatch has its own sequence number, and a
    RESUME replays missed dispatches with the numbers they had, so a replay gets the
    same id and is dropped; a new session never replays old dispatches. A reaction
    removed and added again arrives as new dispatches with new numbers, so it counts
    (message + user + emoji + add/remove would wrongly match the earlier one).
    """
    if session_id is None or sequence is None:
        return None
    return f"discord:{session_id}:{sequence}"


def reaction_event(
    payload: discord.RawReactionActionEvent,
    *,
    actor: Actor,
    guild_id: int,
    event_id: str | None,
) -> ReactionEvent:
    return ReactionEvent(
        workspace=workspace_key(guild_id),
        actor=actor,
        # Custom emoji arrive as a name plus an id; unicode ones as the character.
        emoji=emoji_name(payload.emoji.name or ""),
        added=payload.event_type == "REACTION_ADD",
        message=MessageRef(str(payload.channel_id), str(payload.message_id)),
        event_id=event_id,
    )
