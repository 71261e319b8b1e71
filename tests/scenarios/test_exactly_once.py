"""Exactly-once, enforced by the database: a replayed reaction, and editors
approving at the same instant, each give one decision, one notice, one audit entry.

Concurrent deliveries run on separate engines (as two processes or two platform
connections would), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio

from bot.platforms.local.platform import LocalWorkspace
from handlers.events import ReactionEvent
from handlers.proposals.review import handle_reaction
from tests.workflow_support import (
    CLEAN,
    WorkspaceFactory,
    audit_events,
    audit_kinds,
    lines_to,
    make_workspace,
    proposal,
    run,
    votes,
    ws_pair,
)

__all__ = ["make_workspace", "ws_pair"]


def approve(ws: LocalWorkspace, who: str, event_id: str, *, added: bool = True) -> ReactionEvent:
    return ReactionEvent(
        workspace="local",
        actor=ws.actor(who),
        emoji="white_check_mark",
        added=added,
        proposal_id=1,
        event_id=event_id,
    )


def decisions(lines: list[str]) -> tuple[int, int]:
    """(posts to the approved channel, notices to the proposer)."""
    return len(lines_to(lines, "#approved")), len(lines_to(lines, "dm to alex"))


async def test_a_replayed_reaction_decides_once(
    ws_pair: tuple[LocalWorkspace, LocalWorkspace],
) -> None:
    first, second = ws_pair
    await run(first, f"/propose {CLEAN}")
    first.drain()
    event = approve(first, "editor", "Ev-1")
    await handle_reaction(event, first.ctx)
    await handle_reaction(event, first.ctx)  # the platform redelivers it
    await asyncio.gather(handle_reaction(event, first.ctx), handle_reaction(event, second.ctx))
    out = first.drain() + second.drain()
    assert decisions(out) == (1, 1)
    assert len(await audit_events(first, "approved")) == 1
    assert len(await audit_events(first, "vote_added")) == 1


async def test_a_replayed_reaction_is_one_vote(make_workspace: WorkspaceFactory) -> None:
    ws = await make_workspace(approvals_required=2)
    await run(ws, f"/propose {CLEAN}")
    event = approve(ws, "editor", "Ev-2")
    for _ in range(3):
        await handle_reaction(event, ws.ctx)
    assert await votes(ws) == 1
    assert (await proposal(ws, 1)).status == "pending"
    # A replayed removal is one withdrawal too.
    removal = approve(ws, "editor", "Ev-3", added=False)
    await asyncio.gather(*(handle_reaction(removal, ws.ctx) for _ in range(3)))
    assert await votes(ws) == 0
    assert (await audit_kinds(ws, 1)).count("vote_withdrawn") == 1


async def test_two_editors_approving_at_once_give_one_decision(
    ws_pair: tuple[LocalWorkspace, LocalWorkspace],
) -> None:
    first, second = ws_pair
    await run(first, f"/propose {CLEAN}")
    first.drain()
    await asyncio.gather(
        handle_reaction(approve(first, "editor", "Ev-a"), first.ctx),
        handle_reaction(approve(second, "chair", "Ev-b"), second.ctx),
    )
    out = first.drain() + second.drain()
    assert decisions(out) == (1, 1)
    assert len(await audit_events(first, "approved")) == 1
    assert (await proposal(first, 1)).status == "approved"


async def test_the_last_two_approvals_at_once_still_decide(
    make_workspace: WorkspaceFactory,
) -> None:
    # Two approvals needed, both arriving together: neither may miss the other's vote.
    first = await make_workspace(approvals_required=2)
    second = await make_workspace(approvals_required=2)
    await run(first, f"/propose {CLEAN}")
    first.drain()
    await asyncio.gather(
        handle_reaction(approve(first, "editor", "Ev-c"), first.ctx),
        handle_reaction(approve(second, "chair", "Ev-d"), second.ctx),
    )
    out = first.drain() + second.drain()
    assert decisions(out) == (1, 1)
    (decision,) = await audit_events(first, "approved")
    assert sorted(decision.detail["by"]) == ["chair", "editor"]  # type: ignore[call-overload]


async def test_many_editors_racing_give_one_decision(make_workspace: WorkspaceFactory) -> None:
    spaces = [await make_workspace() for _ in range(4)]
    for space in spaces:
        space.port.editors = (*space.port.editors, "e2", "e3")
    await run(spaces[0], f"/propose {CLEAN}")
    spaces[0].drain()
    await asyncio.gather(
        *(
            handle_reaction(approve(space, who, f"Ev-r{i}"), space.ctx)
            for i, (space, who) in enumerate(
                zip(spaces, ["editor", "chair", "e2", "e3"], strict=True)
            )
        )
    )
    out = [line for space in spaces for line in space.drain()]
    assert decisions(out) == (1, 1)
    assert len(await audit_events(spaces[0], "approved")) == 1
