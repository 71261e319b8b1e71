"""`/help`: every command postgate offers, from the one list all platforms share."""

from __future__ import annotations

from handlers.context import Context
from handlers.events import Invocation, Reply
from handlers.messages import Message
from handlers.registry import CommandSpec, command_list


async def handle_help(inv: Invocation, ctx: Context) -> Reply:
    return Reply(
        Message(
            title="What postgate can do",
            body=command_list(),
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
