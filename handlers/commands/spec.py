"""How a command is declared: its subcommands, their typed arguments and who may run
them. One declaration per command; help, usage text, Slack's usage hints, Discord's
typed subcommands and the permission check in front of every command are read off it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from handlers.context import Context, Services
from handlers.events import Actor, Invocation, Reply, Role


class ArgKind(StrEnum):
    NUMBER = "number"  # a whole number; "#4" reads as 4
    WORD = "word"  # one word, one of `choices` (or an alias of one)
    TEXT = "text"  # the rest of the line, newlines and all; always last


@dataclass(frozen=True, slots=True, kw_only=True)
class Arg:
    name: str  # the option's name on Discord: lower case, no spaces
    shown: str  # how usage shows it, brackets and all: "N", "[N]", "TEXT"
    kind: ArgKind
    description: str  # one line, for Discord's option
    optional: bool = False
    choices: tuple[str, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)  # other words for a choice
    # Said when it is missing or cannot be read; {command} is "/idea done", {usage} the
    # subcommand's usage line.
    problem: str = "{command} needs {shown}: {usage}."


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """A command as it will run: who asked, which subcommand, its arguments read."""

    invocation: Invocation
    subcommand: str
    values: Mapping[str, int | str | None]

    def number(self, name: str) -> int | None:
        value = self.values.get(name)
        return value if isinstance(value, int) else None

    def text(self, name: str) -> str:
        value = self.values.get(name)
        return value if isinstance(value, str) else ""

    def word(self, name: str) -> str | None:
        value = self.values.get(name)
        return value if isinstance(value, str) else None


Handler = Callable[[Call, Context], Awaitable[Reply]]
Autocomplete = Callable[[Services, str], Sequence[str]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Subcommand:
    name: str  # the word that picks it, and its name on Discord
    summary: str  # one line: help, and Discord's description
    handler: Handler
    args: tuple[Arg, ...] = ()
    # Typed words that pick it; False for a command's plain form ("/propose TEXT"),
    # which Discord still names (`/propose new`).
    keyword: bool = True
    aliases: tuple[str, ...] = ()
    # Other words people use for it, which do not run it: a line made of one of them,
    # perhaps with a number ("/propose cancel 3"), is answered with this subcommand's
    # line ("Did you mean /propose withdraw 3?") and changes nothing.
    meant_by: tuple[str, ...] = ()
    roles: frozenset[Role] | None = None  # None: everyone may run it
    refusal: str = ""  # said to someone without one of `roles`; nothing changes


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    name: str  # without the slash: "propose"
    summary: str  # one line, shown in help and in the platform's command picker
    subcommands: tuple[Subcommand, ...]
    plain: str  # the subcommand text without a subcommand word means
    bare: str = ""  # the subcommand an empty line means (default: `plain`)
    # Whether the plain form's text may start with a subcommand's word: "/propose Status
    # update: ..." is a draft, while "/propose withdraw four" is a withdraw gone wrong.
    prose: bool = False
    arg_description: str = "what to do"  # the form's prompt on Slack and Discord
    autocomplete: Autocomplete | None = None  # Discord's, for the plain form's text
    opens_form_when_empty: bool = False  # `/propose` with no text opens a multi-line form
    # Words for what the command does not do, and what to say instead:
    # {"approve": "Editors approve a proposal by reacting to its card."}
    not_here: Mapping[str, str] = field(default_factory=dict)
    # The subcommand a line of only a number most likely meant ("/propose 3" is no post:
    # "Did you mean /propose status 3?"); empty: a number alone is the plain form's text.
    number_means: str = ""

    def subcommand(self, name: str) -> Subcommand:
        return next(s for s in self.subcommands if s.name == name)

    @property
    def plain_subcommand(self) -> Subcommand:
        return self.subcommand(self.plain)


def subcommand_usage(command: Command, sub: Subcommand, *, named: bool = True) -> str:
    """`/idea snooze N 2w`: one subcommand's usage line (the plain form unnamed)."""
    word = [sub.name] if named and sub.keyword and sub.name != command.plain else []
    return " ".join([f"/{command.name}", *word, *(a.shown for a in sub.args)])


def usage(command: Command) -> str:
    """`/propose TEXT | edit N TEXT | withdraw N | ...`: every form on one line."""
    forms = [subcommand_usage(command, command.plain_subcommand, named=False)]
    forms += [
        subcommand_usage(command, s).removeprefix(f"/{command.name} ")
        for s in command.subcommands
        if s.name != command.plain
    ]
    return " | ".join(forms)


def usage_lines(command: Command) -> str:
    """Each form on its own line with what it does, for a reply's footer."""
    return "\n".join(f"{subcommand_usage(command, s)}  {s.summary}" for s in command.subcommands)


def permitted(sub: Subcommand, actor: Actor) -> bool:
    return sub.roles is None or bool(sub.roles & actor.roles)
