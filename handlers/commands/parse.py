"""Reading a command's text against its declaration: which subcommand, and its typed
arguments. A line that does not fit gets its usage back and runs nothing."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from handlers.commands.spec import Arg, ArgKind, Command, Subcommand, subcommand_usage, usage

_TOKEN = re.compile(r"(\S+)\s*")


@dataclass(frozen=True, slots=True)
class Reading:
    """The subcommand a line picked, and either its arguments or why they can't be used."""

    subcommand: Subcommand
    values: dict[str, int | str | None]
    problem: str = ""


@dataclass(frozen=True, slots=True)
class _Misread:
    arg: Arg | None  # None: words were left over after the last argument
    rest: str


def _pop(text: str) -> tuple[str, str]:
    match = _TOKEN.match(text)
    return ("", "") if match is None else (match[1], text[match.end() :])


def _read_args(sub: Subcommand, text: str) -> tuple[dict[str, int | str | None], str] | _Misread:
    """The arguments from the front of `text`, and the words left over."""
    values: dict[str, int | str | None] = {}
    rest = text.strip()
    for arg in sub.args:
        if arg.kind is ArgKind.TEXT:
            if not rest and not arg.optional:
                return _Misread(arg, rest)
            values[arg.name], rest = rest, ""
            continue
        word, after = _pop(rest)
        if arg.kind is ArgKind.NUMBER:
            digits = word.removeprefix("#")
            if digits.isdecimal():
                values[arg.name], rest = int(digits), after
            elif word or not arg.optional:
                return _Misread(arg, rest)
            else:
                values[arg.name] = None
        else:
            choice = arg.aliases.get(word.lower(), word.lower())
            if choice in arg.choices:
                values[arg.name], rest = choice, after
            elif arg.optional:
                values[arg.name] = None
            else:
                return _Misread(arg, rest)
    return values, rest


def _keyword(command: Command, word: str) -> Subcommand | None:
    wanted = word.lower()
    return next(
        (s for s in command.subcommands if s.keyword and wanted in (s.name, *s.aliases)), None
    )


def _plain(command: Command, text: str) -> Reading:
    sub = command.plain_subcommand
    read = _read_args(sub, text)
    if isinstance(read, _Misread):
        return _problem(command, sub, read)
    values, rest = read
    if rest:
        word = text.split()[0]
        return Reading(
            sub,
            values,
            f'postgate does not know "/{command.name} {word}". Try: {usage(command)}',
        )
    return Reading(sub, values)


def _problem(command: Command, sub: Subcommand, misread: _Misread) -> Reading:
    line = subcommand_usage(command, sub)
    if misread.arg is None:
        said = f'{line} takes nothing after that ("{misread.rest}"). Usage: {line}.'
    else:
        said = misread.arg.problem.format(
            command=f"/{command.name} {sub.name}", shown=misread.arg.shown, usage=line
        )
    return Reading(sub, {}, said)


def _fixed_args(sub: Subcommand) -> int:
    return sum(1 for a in sub.args if a.kind is not ArgKind.TEXT)


def read(command: Command, text: str) -> Reading:
    """Which subcommand `text` asks for, with its arguments or the problem with them."""
    stripped = text.strip()
    if not stripped:
        return _plain(command, "") if not command.bare else _named(command, command.bare, "")
    word, rest = _pop(stripped)
    sub = _keyword(command, word)
    if sub is None:
        return _mistyped(command, word, rest) or _plain(command, stripped)
    read_args = _read_args(sub, rest)
    if isinstance(read_args, _Misread):
        if command.prose and len(rest.split()) > _fixed_args(sub):
            return _plain(command, stripped)  # a sentence that starts with the word
        return _problem(command, sub, read_args)
    values, left = read_args
    if left:
        if command.prose and all(a.optional for a in sub.args):
            return _plain(command, stripped)  # "/propose status 3 things we did"
        if not any(not a.optional for a in sub.args):
            return _problem(command, sub, _Misread(None, left))
    return Reading(sub, values)


def _mistyped(command: Command, word: str, rest: str) -> Reading | None:
    """A subcommand's word mistyped, when the rest fits that subcommand exactly, a word
    at most for each argument: "/propose withdrw 1", "/idea lst". Such a line is no
    draft or idea anyone meant, so it is answered with the likely line and runs nothing."""
    names = [s.name for s in command.subcommands if s.keyword]
    close = difflib.get_close_matches(word.lower(), names, n=1, cutoff=0.75)
    if len(word) < 3 or not close:
        return None
    sub = command.subcommand(close[0])
    read_args = _read_args(sub, rest)
    if isinstance(read_args, _Misread) or read_args[1]:
        return None
    values = read_args[0]
    if any(len(str(values.get(a.name) or "").split()) > 1 for a in sub.args):
        return None  # free words after it: more likely a sentence ("Edits to ...")
    meant = " ".join([f"/{command.name}", sub.name, *rest.split()])
    return Reading(
        sub,
        {},
        f'postgate does not know "/{command.name} {word}", so it changed nothing. '
        f"Did you mean {meant}? Usage: {usage(command)}",
    )


def _named(command: Command, name: str, rest: str) -> Reading:
    sub = command.subcommand(name)
    read_args = _read_args(sub, rest)
    if isinstance(read_args, _Misread):
        return _problem(command, sub, read_args)
    return Reading(sub, read_args[0])
