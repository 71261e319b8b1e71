"""Discord roles and deliveries as postgate sees them."""

from __future__ import annotations

from bot.platforms.discord.events import RoleMap, delivery_id
from handlers.events import Role

EDITOR, PROPOSER, STEERING, OTHER = 11, 22, 33, 44


def test_roles_map_from_role_ids() -> None:
    roles = RoleMap(editor=EDITOR, proposer=PROPOSER, steering=STEERING)
    assert roles.roles_for([EDITOR, OTHER]) == {Role.EDITOR}
    assert roles.roles_for([PROPOSER, STEERING]) == {Role.PROPOSER, Role.STEERING}
    assert roles.roles_for([]) == frozenset()


def test_without_a_proposer_role_everyone_may_propose() -> None:
    assert RoleMap(editor=EDITOR).roles_for([]) == {Role.PROPOSER}
    assert RoleMap().roles_for([EDITOR]) == {Role.PROPOSER}  # no editor role: no editors


def test_a_delivery_is_its_session_and_sequence() -> None:
    assert delivery_id(session_id="s1", sequence=7) == "discord:s1:7"
    assert delivery_id(session_id="s1", sequence=7) != delivery_id(session_id="s2", sequence=7)
    assert delivery_id(session_id=None, sequence=7) is None
    assert delivery_id(session_id="s1", sequence=None) is None
