"""The one door every command goes through, whatever the platform.

It finds the command, reads the line against its declaration, checks the caller may run
the subcommand, and runs it. A line that does not fit, or a caller without the role,
gets an answer and changes nothing. A handler's failure is answered by
`handlers.delivery`, which can tell whether anything was changed.
"""

from __future__ import annotations

from handlers.commands.parse import read
from handlers.commands.registry import command_help, find_command, unknown_command
from handlers.commands.spec import Call, permitted, usage_lines
from handlers.context import Context
from handlers.events import Invocation, Reply
from handlers.messages import Message, Tone


async def run_command(invocation: Invocation, ctx: Context) -> Reply:
    command = find_command(invocation.command)
    if command is None:
        return unknown_command(invocation.command)
    reading = read(command, invocation.text, plain=invocation.plain)
    if reading.help:
        return Reply(command_help(command))
    if reading.asked and not permitted(reading.subcommand, invocation.actor):
        return Reply(Message(body=reading.subcommand.refusal, tone=Tone.WARNING))
    if reading.problem:
        return Reply(
            Message(
                body=f"{reading.problem} Nothing was changed.",
                footer=usage_lines(command),
                tone=Tone.WARNING,
            )
        )
    call = Call(invocation=invocation, subcommand=reading.subcommand.name, values=reading.values)
    return await reading.subcommand.handler(call, ctx)
