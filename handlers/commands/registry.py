"""Every slash command, listed once. Each platform registers what is listed here, so a
new command reaches the local workspace, Slack and Discord with one entry; `/help` is
read off the same list."""

from __future__ import annotations

from handlers.commands.spec import Call, Command, Subcommand, usage
from handlers.context import Context
from handlers.events import Reply
from handlers.guidance import GUIDANCE
from handlers.ideas.idea import IDEA_COMMAND
from handlers.ideas.reminders import REMINDERS_COMMAND
from handlers.messages import Message
from handlers.proposals.propose import PROPOSE
from handlers.stats.command import STATS


async def _help(_call: Call, _ctx: Context) -> Reply:
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


HELP = Command(
    name="help",
    summary="List postgate's commands",
    subcommands=(
        Subcommand(name="list", summary="List the commands", handler=_help, keyword=False),
    ),
    plain="list",
    arg_description="(nothing needed)",
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
