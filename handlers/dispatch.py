"""The one door every command goes through, whatever the platform.

It finds the command, runs it, and turns any failure into a kind reply: no
traceback ever reaches a member; the log gets the details.
"""

from __future__ import annotations

import logging

from handlers.context import Context
from handlers.events import Invocation, Reply
from handlers.messages import Message, Tone
from handlers.registry import command_list, find_command

log = logging.getLogger(__name__)


async def run_command(invocation: Invocation, ctx: Context) -> Reply:
    spec = find_command(invocation.command)
    if spec is None:
        return Reply(
            Message(
                title=f"postgate has no /{invocation.command} command",
                body=command_list(),
                footer="These are the commands it has; /help shows them again.",
                tone=Tone.WARNING,
            )
        )
    try:
        return await spec.handler(invocation, ctx)
    except Exception:
        log.exception(
            "/%s by %s in %s failed", spec.name, invocation.actor.id, invocation.workspace
        )
        return Reply(
            Message(
                body=(
                    f"Sorry, something went wrong with /{spec.name} and nothing was changed. "
                    "Please try again in a minute; if it keeps happening, tell an IT officer."
                ),
                tone=Tone.DANGER,
            )
        )
