"""`/help`: every command postgate offers, from the one list all platforms share."""

from __future__ import annotations

from handlers.context import Context
from handlers.events import Invocation, Reply
from handlers.messages import Message
from handlers.registry import CommandSpec, all_commands


async def handle_help(inv: Invocation, ctx: Context) -> Reply:
    lines = [f"{c.usage}\n    {c.summary}" for c in all_commands()]
    return Reply(
        Message(
            title="What postgate can do",
            body="\n".join(lines),
            footer=(
                "Editors decide a proposal by reacting to its card in the review channel. "
                "Replies to your commands are only shown to you."
            ),
        )
    )


HELP = CommandSpec(
    name="help",
    summary="List postgate's commands",
    usage="/help",
    handler=handle_help,
    arg_description="(nothing needed)",
)
