"""Reading a command line against its declaration: a line that is only a command's word
(and maybe a number) is never a post or an idea, a real sentence that starts with such a
word is, and words after a complete subcommand are never silently dropped."""

from __future__ import annotations

import pytest

from handlers.commands.parse import Reading, read
from handlers.commands.registry import all_commands
from handlers.commands.spec import ArgKind, Command, Subcommand, usage
from handlers.ideas.idea import IDEA_COMMAND
from handlers.ideas.reminders import REMINDERS_COMMAND
from handlers.proposals.propose import PROPOSE


def _runs_nothing(reading: Reading) -> bool:
    return bool(reading.problem) or reading.help


@pytest.mark.parametrize(
    "line",
    [
        "help",
        "Help",
        "?",
        "list",
        "mine",
        "show 23",
        "cancel 23",
        "Cancel #23!",
        "delete 23",
        "delete my proposal 23",
        "remove 23 please",
        "undo",
        "check 23",
        "approve 23",
        "reject",
        "new",
        "change 23",
        "pending",
    ],
)
def test_a_draft_that_is_only_a_command_word_is_not_a_post(line: str) -> None:
    reading = read(PROPOSE, line)
    assert _runs_nothing(reading), line
    assert reading.values == {}


@pytest.mark.parametrize(
    "line",
    [
        "Cancel the cuts to our bus routes!",
        "Help us clean up St Neots this Saturday",
        "Check out our new website",
        "Delete the Tory tax on renters",
        "Show up for Saturday's canvass",
        "List of polling stations is out now",
        "Approve the new housing plan, says our councillor",
        "Help!  We need canvassers in Eaton Socon",
        "Undo the damage: vote Labour on 7 May",
        "Vote!",
        "Stop the cuts!",
    ],
)
def test_a_real_post_that_starts_with_a_command_word_is_a_post(line: str) -> None:
    reading = read(PROPOSE, line)
    assert (reading.subcommand.name, reading.problem, reading.help) == ("new", "", False)
    assert reading.values == {"text": line}


@pytest.mark.parametrize(
    ("command", "line", "meant"),
    [
        (PROPOSE, "cancel 23", "Did you mean /propose withdraw 23?"),
        (PROPOSE, "delete #23", "Did you mean /propose withdraw 23?"),
        (PROPOSE, "delete my proposal 23", "Did you mean /propose withdraw 23?"),
        (PROPOSE, "cancel", "Did you mean /propose withdraw N?"),
        (PROPOSE, "show 23", "Did you mean /propose status 23?"),
        (PROPOSE, "list", "Did you mean /propose status?"),
        (PROPOSE, "change 23", "Did you mean /propose edit 23 TEXT?"),
        (PROPOSE, "cancel 9 10", "Did you mean /propose withdraw 9, then /propose withdraw 10?"),
        (PROPOSE, "status23", "Did you mean /propose status 23?"),
        (PROPOSE, "withdraw#4", "Did you mean /propose withdraw 4?"),
        (PROPOSE, "approve 23", "by reacting to its card"),
        (IDEA_COMMAND, "delete 3", "Did you mean /idea drop 3?"),
        (IDEA_COMMAND, "complete 3", "Did you mean /idea done 3?"),
        (IDEA_COMMAND, "drp 3", "Did you mean /idea drop 3?"),
        (REMINDERS_COMMAND, "stop digest", "Did you mean /reminders pause digest?"),
        (REMINDERS_COMMAND, "pauze", "Did you mean /reminders pause?"),
    ],
)
def test_a_command_word_gets_the_likely_line(command: Command, line: str, meant: str) -> None:
    reading = read(command, line)
    assert meant in reading.problem
    # The usage follows once, under the message (the dispatcher's footer), not inline.
    assert usage(command) not in reading.problem


@pytest.mark.parametrize("line", ["help", "help me", "HELP", "?", "usage"])
def test_propose_help_asks_for_the_help(line: str) -> None:
    assert read(PROPOSE, line).help


def _complete_line(sub: Subcommand) -> str | None:
    """`sub` with every argument filled in, or None when its last argument takes the rest."""
    words = [sub.name]
    for arg in sub.args:
        if arg.kind is ArgKind.TEXT:
            return None
        words.append("7" if arg.kind is ArgKind.NUMBER else arg.choices[0])
    return " ".join(words)


COMPLETE = [
    (command, line)
    for command in all_commands()
    for sub in command.subcommands
    if sub.keyword and (line := _complete_line(sub)) is not None
]


@pytest.mark.parametrize(
    ("command", "line"), COMPLETE, ids=[f"{c.name} {line}" for c, line in COMPLETE]
)
def test_words_after_a_complete_subcommand_are_never_dropped(command: Command, line: str) -> None:
    assert not read(command, line).problem
    for extra in (" 8", " 8 9", " and 8"):
        reading = read(command, line + extra)
        if reading.subcommand.name == command.plain and not reading.problem:
            # a prose command's sentence ("/propose status 7 and 8"): a draft, whole
            assert command.prose and reading.values == {"text": line + extra}
        else:
            assert reading.problem, line + extra
            assert extra.split()[-1] in reading.problem


def test_several_numbers_are_answered_one_at_a_time() -> None:
    reading = read(PROPOSE, "withdraw 9 10 11")
    assert reading.subcommand.name == "withdraw"
    assert reading.values == {}
    assert "One at a time, please: /propose withdraw 9, then /propose withdraw 10" in (
        reading.problem
    )


def test_please_after_a_subcommand_is_not_a_problem() -> None:
    assert read(PROPOSE, "withdraw 4 please").values == {"number": 4}
    assert read(IDEA_COMMAND, "done 3, thanks!").values == {"number": 3}
