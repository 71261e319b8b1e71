"""Every slash command, listed once. Each platform registers what is listed here, so a
new command reaches the local workspace, Slack and Discord with one entry; `/help` is
read off the same list."""

from __future__ import annotations

import difflib
from dataclasses import replace

from handlers.commands.spec import Arg, ArgKind, Call, Command, Subcommand, usage, usage_lines
from handlers.context import Context, Services
from handlers.events import Reply
from handlers.guidance import GUIDANCE
from handlers.ideas.idea import IDEA_COMMAND
from handlers.ideas.reminders import REMINDERS_COMMAND
from handlers.messages import Message, Tone
from handlers.proposals.propose import PROPOSE
from handlers.stats.command import STATS

_HELP_FOOTER = (
    "Editors decide a proposal by reacting to its card in the review channel. "
    "Replies to your commands are only shown to you."
)


async def _help(call: Call, _ctx: Context) -> Reply:
    wanted = call.text("command").split()
    if not wanted:
        return Reply(
            Message(title="What postgate can do", body=command_list(), footer=_HELP_FOOTER)
        )
    command = find_command(wanted[0])
    if command is not None:
        return Reply(command_help(command))
    meant = _closest(wanted[0])
    if meant is None:
        return unknown_command(wanted[0])
    # "/help proposal" explains /propose: a help request changes nothing anyway.
    name = wanted[0].lstrip("/")
    return Reply(
        replace(
            command_help(meant),
            title=f"postgate has no /{name} command. Did you mean /{meant.name}?",
        )
    )


def command_help(command: Command) -> Message:
    """One command's help: what it is for, and each of its forms."""
    return Message(
        title=f"/{command.name}",
        body=f"{command.summary}\n{usage_lines(command)}",
        footer="/help lists every command.",
    )


def unknown_command(name: str) -> Reply:
    """The answer to a command postgate does not have: the likely one, or the list."""
    name = name.lstrip("/")
    meant = _closest(name)
    if meant is None:
        return Reply(
            Message(
                title=f"postgate has no /{name} command",
                body=command_list(),
                footer="These are the commands it has; /help shows them again.",
                tone=Tone.WARNING,
            )
        )
    return Reply(
        Message(
            title=f"postgate has no /{name} command. Did you mean /{meant.name}?",
            body=usage_lines(meant),
            footer="Nothing was changed. /help lists every command.",
            tone=Tone.WARNING,
        )
    )


def _closest(name: str) -> Command | None:
    names = [c.name for c in all_commands()]
    close = difflib.get_close_matches(name.lstrip("/").lower(), names, n=1, cutoff=0.6)
    return find_command(close[0]) if close else None


def _command_names(_services: Services, typed: str) -> list[str]:
    """Discord's autocomplete for `/help COMMAND`."""
    wanted = typed.strip().lstrip("/").lower()
    return [c.name for c in all_commands() if c.name.startswith(wanted)]


HELP = Command(
    name="help",
    summary="List postgate's commands, or explain one",
    subcommands=(
        Subcommand(
            name="list",
            summary="lists the commands, or explains one (/help propose)",
            handler=_help,
            args=(
                Arg(
                    name="command",
                    shown="[COMMAND]",
                    kind=ArgKind.TEXT,
                    description="a command to explain, for example propose",
                    optional=True,
                ),
            ),
            keyword=False,
        ),
    ),
    plain="list",
    arg_description="a command to explain (or nothing for all of them)",
    autocomplete=_command_names,
)

COMMANDS: tuple[Command, ...] = (PROPOSE, GUIDANCE, IDEA_COMMAND, REMINDERS_COMMAND, STATS, HELP)


def all_commands() -> tuple[Command, ...]:
    """The commands, in the order help lists them."""
    return COMMANDS


def find_command(name: str) -> Command | None:
    wanted = name.lstrip("/").lower()
    return next((c for c in all_commands() if c.name == wanted), None)


def command_list() -> str:
    """Every command's usage and summary, one after another, for help texts."""
    return "\n".join(f"{usage(c)}\n    {c.summary}" for c in all_commands())
