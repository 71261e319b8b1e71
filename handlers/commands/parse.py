"""Reading a command's text against its declaration: which subcommand, and its typed
arguments. A line that does not fit gets its usage back and runs nothing."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from handlers.commands.spec import Arg, ArgKind, Command, Subcommand, subcommand_usage

_TOKEN = re.compile(r"(\S+)\s*")


@dataclass(frozen=True, slots=True)
class Reading:
    """The subcommand a line picked, and either its arguments or why they can't be used."""

    subcommand: Subcommand
    values: dict[str, int | str | None]
    problem: str = ""
    # False when the line named no subcommand at all ("/propose approve 3"): then
    # `subcommand` is only the plain form, and who may run it does not matter.
    asked: bool = True
    help: bool = False  # the line asked what the command does ("/propose help")


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
            word, after = _past_noun(word, after)
            digits = word.removeprefix("#").rstrip(".,;:!?")  # "done 3, thanks"
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


# Words people put before a number: "withdraw proposal 3", "done idea no. 4".
_NUMBER_NOUNS = frozenset({"proposal", "post", "draft", "idea", "no", "no.", "number", "num", "nr"})


def _past_noun(word: str, after: str) -> tuple[str, str]:
    """The number's word and the rest, past a noun or "no." naming what it numbers."""
    while word.lower() in _NUMBER_NOUNS:
        following, rest = _pop(after)
        if not following:
            break
        word, after = following, rest
    return word, after


def _keyword(command: Command, word: str) -> Subcommand | None:
    wanted = word.lower()
    return next(
        (s for s in command.subcommands if s.keyword and wanted in (s.name, *s.aliases)), None
    )


def _plain(command: Command, text: str) -> Reading:
    command_like = _command_like(command, text)
    if command_like is not None:
        return command_like
    sub = command.plain_subcommand
    read = _read_args(sub, text)
    if isinstance(read, _Misread):
        return _problem(command, sub, read)
    values, rest = read
    if rest:
        word = text.split()[0]
        return Reading(sub, values, f'postgate does not know "/{command.name} {word}".')
    return Reading(sub, values)


def _problem(command: Command, sub: Subcommand, misread: _Misread) -> Reading:
    line = subcommand_usage(command, sub)
    if misread.arg is None:
        said = (
            f"{line} takes nothing after it, so postgate did not know what to do with "
            f"{_quoted(misread.rest)}."
        )
    else:
        said = misread.arg.problem.format(
            command=f"/{command.name} {sub.name}", shown=misread.arg.shown, usage=line
        )
    return Reading(sub, {}, said)


def _left_over(
    command: Command, sub: Subcommand, values: dict[str, int | str | None], left: str
) -> Reading:
    """Words after a complete subcommand ("/propose withdraw 9 10 11"): nothing runs, so
    none of them is silently dropped."""
    if not sub.args:
        return _problem(command, sub, _Misread(None, left))
    line = subcommand_usage(command, sub)
    last = sub.args[-1].shown.strip("[]")
    said = f"{line} takes nothing after {last}, so postgate did not know what to do with "
    said += f"{_quoted(left)}."
    first = next(iter(values.values()), None) if len(sub.args) == 1 else None
    if isinstance(first, int) and _numbers(left.split()):
        each = [str(first), *(w.removeprefix("#") for w in left.split())]
        said += (
            " One at a time, please: "
            + ", then ".join(f"/{command.name} {sub.name} {n}" for n in each)
            + "."
        )
    return Reading(sub, {}, said)


def _quoted(words: str, limit: int = 60) -> str:
    """Words a member typed, on one line and shortened, to be repeated back."""
    flat = " ".join(words.split())
    return f'"{flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."}"'


def _fixed_args(sub: Subcommand) -> int:
    return sum(1 for a in sub.args if a.kind is not ArgKind.TEXT)


def _is_number(word: str) -> bool:
    return word.removeprefix("#").isdecimal()


def _numbers(words: list[str]) -> bool:
    return bool(words) and all(_is_number(w) for w in words)


def read(command: Command, text: str, *, plain: bool = False) -> Reading:
    """Which subcommand `text` asks for, with its arguments or the problem with them.
    `plain`: the platform named the plain form, so no other subcommand runs."""
    reading = _read(command, text)
    if plain and reading.subcommand.name != command.plain and reading.asked:
        if reading.problem or reading.help:
            return reading  # an answer that runs nothing
        line = f"/{command.name} {' '.join(text.split())}"
        said = (
            f"{_quoted(text)} is a command of its own, {line}, so /{command.name} "
            f"{command.plain} did not take it. To run it, use {line}."
        )
        return Reading(command.plain_subcommand, {}, said)
    return reading


def _read(command: Command, text: str) -> Reading:
    stripped = text.strip()
    if not stripped:
        return _plain(command, "") if not command.bare else _named(command, command.bare, "")
    word, rest = _pop(stripped)
    sub = _keyword(command, word)
    if sub is None:
        return _mistyped(command, word, rest) or _plain(command, stripped)
    if rest and _courteous(rest, also=_LISTING) and all(a.optional for a in sub.args):
        return Reading(sub, dict.fromkeys((a.name for a in sub.args), None))  # "status please"
    read_args = _read_args(sub, rest)
    if isinstance(read_args, _Misread):
        if command.prose and len(rest.split()) > _fixed_args(sub):
            return _plain(command, stripped)  # a sentence that starts with the word
        return _problem(command, sub, read_args)
    values, left = read_args
    for arg in sub.args:
        # "/propose edit 2 thanks": a thank-you is no new text for the post
        said = values.get(arg.name)
        if arg.kind is ArgKind.TEXT and isinstance(said, str) and said and _courteous(said):
            return _problem(command, sub, _Misread(arg, ""))
    if not left or _courteous(left):  # "/propose withdraw 4 please"
        return Reading(sub, values)
    if command.prose and all(a.optional for a in sub.args) and not _numbers(left.split()):
        return _plain(command, stripped)  # "/propose status 3 things we did"
    return _left_over(command, sub, values, left)


_GLUED = re.compile(r"([^\W\d_]+)#?(\d+)")  # "status23": a word and a number run together


def _mistyped(command: Command, word: str, rest: str) -> Reading | None:
    """A subcommand's word mistyped, when the rest fits that subcommand exactly, a word
    at most for each argument: "/propose withdrw 1", "/idea lst", "/propose status23".
    Such a line is no draft or idea anyone meant, so it is answered with the likely line
    and runs nothing."""
    names = [s.name for s in command.subcommands if s.keyword]
    typed, given = word.lower(), rest
    if glued := _GLUED.fullmatch(typed):
        typed, given = glued[1], f"{glued[2]} {rest}".strip()
    close = difflib.get_close_matches(typed, names, n=1, cutoff=0.75)
    if len(typed) < 3 or not close:
        return None
    sub = command.subcommand(close[0])
    read_args = _read_args(sub, given)
    if isinstance(read_args, _Misread) or read_args[1]:
        return None
    values = read_args[0]
    if any(len(str(values.get(a.name) or "").split()) > 1 for a in sub.args):
        return None  # free words after it: more likely a sentence ("Edits to ...")
    meant = " ".join([f"/{command.name}", sub.name, *given.split()])
    return Reading(
        sub, {}, f'postgate does not know "/{command.name} {word}". Did you mean {meant}?'
    )


# Words that ask a command to do something rather than begin a post or an idea. A line
# that is only one of them, perhaps with a number and a filler word ("cancel 23",
# "delete my proposal 4", "help"), is answered and changes nothing; a longer line
# that starts with one ("Cancel the cuts to our bus routes!") is a post like any other.
_COMMAND_WORDS = frozenset(
    {
        *("help", "usage", "commands", "list", "show", "mine", "view", "see", "check"),
        *("cancel", "delete", "remove", "undo", "retract", "unsend", "revoke", "stop"),
        *("approve", "reject", "accept", "decline", "edit", "change", "update", "status"),
        *("queue", "pending", "new", "add", "send", "submit", "done", "drop", "snooze"),
    }
)
_HELP_WORDS = frozenset({"help", "usage", "commands", "?"})
_FILLER = frozenset(
    {
        *("please", "pls", "my", "mine", "me", "it", "this", "that", "all", "the", "one"),
        *("proposal", "post", "draft", "idea", "number", "no", "num"),
    }
)
_COURTESY = frozenset({"please", "pls", "plz", "thanks", "thank", "you", "ta", "cheers", "thx"})
_EDGES = ".,!?:;'\"()"
_MOST_WORDS = 6


# Words after a listing subcommand that ask for nothing more than the list itself.
_LISTING = frozenset({"all", "mine", "my", "everything", "proposals", "posts", "ideas", "list"})


def _courteous(words: str, *, also: frozenset[str] = frozenset()) -> bool:
    """Whether words left after a subcommand only say please or thank you (or one of
    `also`)."""
    said = [w.strip(_EDGES).lower() for w in words.split() if w.strip(_EDGES)]
    return all(w in _COURTESY or w in also for w in said)


def _command_like(command: Command, text: str) -> Reading | None:
    """`text`, meant for the plain form, when it is only a command's word and perhaps a
    number ("/propose cancel 23"): the likely subcommand, or the usage; None otherwise."""
    if len(command.subcommands) < 2 or len(text.split()) > _MOST_WORDS:
        return None
    words = [w for w in (w.strip(_EDGES).lower() for w in text.split()) if w]
    if not words:
        is_help = text.strip() == "?"
        return Reading(command.plain_subcommand, {}, asked=False, help=True) if is_help else None
    head, tail = words[0], words[1:]
    if not tail and _is_number(head) and command.number_means:
        shows = command.subcommand(command.number_means)
        meant = _line(command, shows, [head])
        said = f'"/{command.name} {head}" has only a number. Did you mean {meant}?'
        return Reading(shows, {}, said, asked=False)
    sub = next((s for s in command.subcommands if head in (s.name, *s.aliases, *s.meant_by)), None)
    if sub is not None and tail and _fits(sub, tail):  # "/reminders stop digest"
        return _suggested(command, head, sub, tail)
    if not all(_is_number(w) or w in _FILLER for w in tail):
        return None
    numbers = [w.removeprefix("#") for w in tail if _is_number(w)]
    if head in _HELP_WORDS:
        return Reading(command.plain_subcommand, {}, asked=False, help=True)
    if sub is not None and sub.name != command.plain:
        return _suggested(command, head, sub, numbers)
    said = f'postgate does not know "/{command.name} {head}".'
    if head in command.not_here:
        said += " " + command.not_here[head]
    elif head not in _COMMAND_WORDS and sub is None:
        return None
    return Reading(command.plain_subcommand, {}, said, asked=False)


def _fits(sub: Subcommand, words: list[str]) -> bool:
    """Whether `words` are exactly `sub`'s arguments, a word at most for each."""
    read_args = _read_args(sub, " ".join(words))
    if isinstance(read_args, _Misread) or read_args[1]:
        return False
    return all(len(str(read_args[0].get(a.name) or "").split()) <= 1 for a in sub.args)


def _suggested(command: Command, head: str, sub: Subcommand, words: list[str]) -> Reading:
    """ "Did you mean /propose withdraw 23?" for "/propose cancel 23", the words given
    filling the subcommand's arguments and its usage the rest."""
    numbers = [w for w in words if _is_number(w)]
    single = len(sub.args) == 1 and sub.args[0].kind is ArgKind.NUMBER
    if single and len(numbers) > 1 and len(numbers) == len(words):
        lines = [f"/{command.name} {sub.name} {n.removeprefix('#')}" for n in numbers]
        meant = ", then ".join(lines)
    else:
        meant = _line(command, sub, list(words))
    return Reading(
        sub, {}, f'postgate does not know "/{command.name} {head}". Did you mean {meant}?'
    )


def _line(command: Command, sub: Subcommand, words: list[str]) -> str:
    """`sub`'s usage line with the words given in place of its arguments."""
    parts = [f"/{command.name}"] + ([sub.name] if sub.name != command.plain else [])
    for arg in sub.args:
        word = words[0] if words else ""
        if arg.kind is ArgKind.NUMBER and _is_number(word):
            parts.append(word.removeprefix("#"))
            words.pop(0)
        elif arg.kind is ArgKind.WORD and arg.aliases.get(word, word) in arg.choices and word:
            parts.append(arg.aliases.get(word, word))
            words.pop(0)
        elif arg.kind is ArgKind.TEXT and words:
            parts.append(" ".join(words))
            words.clear()
        elif not arg.optional:
            parts.append(arg.shown)
    return " ".join(parts)


def _named(command: Command, name: str, rest: str) -> Reading:
    sub = command.subcommand(name)
    read_args = _read_args(sub, rest)
    if isinstance(read_args, _Misread):
        return _problem(command, sub, read_args)
    return Reading(sub, read_args[0])
