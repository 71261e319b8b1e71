"""Every slash command, declared once. Each platform registers what is listed here,
so a new command reaches the local workspace, Slack and Discord with one entry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from handlers.context import Context, Services
from handlers.events import Invocation, Reply

CommandHandler = Callable[[Invocation, Context], Awaitable[Reply]]
Autocomplete = Callable[[Services, str], Sequence[str]]


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandSpec:
    name: str  # without the slash: "propose"
    summary: str  # one line, shown in help and in the platform's command picker
    usage: str  # e.g. "/propose TEXT | edit N TEXT | withdraw N | status [N]"
    handler: CommandHandler
    arg_description: str = "what to do"
    autocomplete: Autocomplete | None = None  # Discord autocomplete of the text option
    opens_form_when_empty: bool = False  # `/propose` with no text opens a multi-line form


def all_commands() -> tuple[CommandSpec, ...]:
    """The commands, in the order help lists them."""
    from handlers.commands import COMMANDS

    return COMMANDS


def find_command(name: str) -> CommandSpec | None:
    wanted = name.lstrip("/").lower()
    return next((c for c in all_commands() if c.name == wanted), None)


def command_list() -> str:
    """Every command's usage and summary, one after another, for help texts."""
    return "\n".join(f"{c.usage}\n    {c.summary}" for c in all_commands())
