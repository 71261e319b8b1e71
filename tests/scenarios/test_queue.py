"""`/propose queue`: what waits for the editors' decision, oldest first, for editors."""

from __future__ import annotations

from datetime import timedelta

from bot.platforms.local.platform import LocalWorkspace
from tests.clock import FixedClock
from tests.workflow_support import START, make_workspace, run, ws

__all__ = ["make_workspace", "ws"]  # fixtures used below


async def test_editors_see_what_waits_oldest_first(ws: LocalWorkspace) -> None:
    clock = ws.ctx.services.clock
    assert isinstance(clock, FixedClock)
    await run(ws, "/propose Come to the street stall on Saturday.")  # 1, from alex
    clock.set(START + timedelta(hours=3))
    await run(ws, "/as bob", "/propose The branch meeting is on Tuesday at 7pm.")  # 2
    await run(ws, "/propose Our leaflet is at the printers.")  # 3
    await run(ws, "/as editor", "/react 2 white_check_mark")  # decided: off the queue
    clock.set(START + timedelta(days=2))
    out = await run(ws, "/propose queue")
    text = "\n".join(out)
    assert "Waiting for a decision: 2, oldest first" in text
    first, second = text.index("1: from alex"), text.index("3: from bob")
    assert first < second
    assert "waiting 2 days" in text and "2: from bob" not in text
    assert "card on the review channel" in text
    assert "“Come to the street stall on Saturday.”" in text  # which post it is


async def test_a_member_is_told_the_queue_is_for_editors(ws: LocalWorkspace) -> None:
    await run(ws, "/propose Come to the street stall on Saturday.")
    text = "\n".join(await run(ws, "/propose queue"))
    assert "for editors" in text
    assert "1: from alex" not in text


async def test_an_empty_queue_says_so(ws: LocalWorkspace) -> None:
    text = "\n".join(await run(ws, "/as editor", "/propose queue"))
    assert "Nothing waits for a decision" in text


async def test_queue_up_is_still_a_draft(ws: LocalWorkspace) -> None:
    text = "\n".join(await run(ws, "/propose queue up early for the hustings on Friday!"))
    assert "Proposal 1" in text


async def test_a_proposal_seconds_old_has_waited_just_now(ws: LocalWorkspace) -> None:
    clock = ws.ctx.services.clock
    assert isinstance(clock, FixedClock)
    await run(ws, "/propose Come to the street stall on Saturday.")
    clock.set(START + timedelta(seconds=20))
    text = "\n".join(await run(ws, "/as editor", "/propose queue"))
    assert "(just now)" in text and "min" not in text
    clock.set(START + timedelta(minutes=5, seconds=30))
    assert "(waiting 5 min)" in "\n".join(await run(ws, "/propose queue"))
