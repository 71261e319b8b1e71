"""The local workspace takes the production path (`handlers.delivery`): each line is
a delivery, received and run; what a killed session left undone runs at the next
start and is answered privately."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

from sqlalchemy import select

from bot.platforms.local.platform import LocalPlatform, LocalWorkspace
from handlers.events import Invocation
from storage.models import Delivery
from tests.clock import FixedClock
from tests.workflow_support import CLEAN, START, make_services


async def test_each_line_is_a_delivery_done_with_its_change(database_url: str) -> None:
    services = make_services(database_url)
    try:
        ws = LocalWorkspace(services=services)
        await ws.send(f"/propose {CLEAN}")
        await ws.send("/as editor")
        await ws.send("/react 1 white_check_mark")
        async with services.db.session() as session:
            rows = list((await session.execute(select(Delivery))).scalars())
    finally:
        await services.db.dispose()
    assert [r.event.get("command") or r.event.get("emoji") for r in rows] == [
        "propose",
        "white_check_mark",
    ]
    assert all(r.done_at is not None and r.key.startswith("local:") for r in rows)


async def test_a_line_a_killed_session_left_undone_runs_at_the_next_start(
    database_url: str,
) -> None:
    clock = FixedClock(START)
    services = make_services(database_url, clock=clock)
    try:
        killed = LocalWorkspace(services=services)
        line = Invocation(
            workspace="local", actor=killed.actor(), command="propose", text=CLEAN, channel="comms"
        )
        # Received, and the session killed before it ran.
        assert await killed.deliveries.receive(key="local:cut-short", event=line)
        clock.advance(timedelta(seconds=30))
        stdout = io.StringIO()
        platform = LocalPlatform(
            workspace=LocalWorkspace(services=services), stdin=io.StringIO(""), stdout=stdout
        )
        await platform.start()
        await asyncio.wait_for(platform.wait_closed(), timeout=30)
        await platform.stop()
    finally:
        await services.db.dispose()
    out = stdout.getvalue()
    assert "[#review] Proposal 1 from alex" in out
    assert "[dm to alex]" in out
    assert "restarted before it could answer your /propose" in out
