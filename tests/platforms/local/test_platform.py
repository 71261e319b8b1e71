"""The local workspace on stdin/stdout: a terminal is greeted, a pipe is a script
that ends at its last line."""

from __future__ import annotations

import asyncio
import io
import os
from datetime import timedelta

from bot.platforms.local.platform import LocalPlatform, LocalWorkspace
from bot.platforms.local.render import render
from handlers.clock import FixedClock
from handlers.messages import Mention, Message, MessageField, text
from handlers.proposals.expiry import expire_overdue
from tests.workflow_support import START, make_services


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def _serve(database_url: str, stdin: io.StringIO) -> str:
    services = make_services(database_url)
    stdout = io.StringIO()
    platform = LocalPlatform(
        workspace=LocalWorkspace(services=services), stdin=stdin, stdout=stdout
    )
    try:
        await platform.start()
        await asyncio.wait_for(platform.wait_closed(), timeout=30)
        await platform.stop()
    finally:
        await services.db.dispose()
    return stdout.getvalue()


async def test_a_script_runs_to_its_end_and_closes(database_url: str) -> None:
    out = await _serve(database_url, io.StringIO("/propose Hello St Ives!\n\n/as editor\n"))
    assert "alex> /propose Hello St Ives!" in out
    assert "[#review] Proposal 1 from alex: waiting for an editor" in out
    assert "[workspace] You are now editor (an editor)." in out
    assert "Welcome" not in out


async def test_a_terminal_greets_the_newcomer(database_url: str) -> None:
    out = await _serve(database_url, Terminal("/quit\n"))
    first = out.splitlines()[:7]
    assert first[0].startswith("Welcome to postgate's local workspace")
    assert first[1] == "You are alex (a member). The editors are editor and chair."
    assert "  /propose Thank you to everyone who canvassed in St Ives on Saturday!" in first
    assert "  /as editor" in first and "  /react 1 white_check_mark" in first
    assert "alex> " in out and "Bye!" in out


def test_render_names_the_channel_and_keeps_member_text_plain() -> None:
    message = Message(
        title="Card",
        body=text("Decide: ", Mention.user("U1", "editor")),
        quote="line one\nline two @here",
        fields=(MessageField("State", "waiting"),),
        footer="Proposal 1",
    )
    assert render(message, where="#review") == [
        "[#review] Card",
        "  Decide: @editor",
        "  | line one",
        "  | line two @here",
        "  State: waiting",
        "  -- Proposal 1",
    ]
    assert render(Message(body="Just this"), where="dm to alex") == ["[dm to alex] Just this"]


async def test_what_scheduled_jobs_post_between_lines_is_printed(database_url: str) -> None:
    clock = FixedClock(START)
    services = make_services(database_url, clock=clock)
    workspace = LocalWorkspace(services=services)
    read_end, write_end = os.pipe()
    stdout = io.StringIO()
    with os.fdopen(read_end, "r") as stdin:
        platform = LocalPlatform(workspace=workspace, stdin=stdin, stdout=stdout)
        try:
            await platform.start()
            os.write(write_end, b"/propose Hello St Ives!\n")
            for _ in range(3000):  # until the line is handled (bounded)
                if "Thanks! Proposal 1" in stdout.getvalue():
                    break
                await asyncio.sleep(0.01)
            clock.advance(timedelta(days=15))
            assert await expire_overdue(workspace.ctx) == 1  # as the scheduler would
            assert "[dm to alex] Your proposal 1 expired" in stdout.getvalue()
        finally:
            os.close(write_end)
            await asyncio.wait_for(platform.wait_closed(), timeout=30)
            await platform.stop()
            await services.db.dispose()
