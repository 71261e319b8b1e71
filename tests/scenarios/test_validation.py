"""Input that cannot be used gets a kind, specific reply, and changes nothing."""

from __future__ import annotations

import pytest

from bot.platforms.local.platform import LocalWorkspace
from handlers.commands.parse import read
from handlers.dispatch import run_command
from handlers.events import Actor, Invocation
from handlers.proposals.propose import PROPOSE
from storage.models import AuditEvent, Idea, Proposal, Revision, Vote
from tests.workflow_support import (
    ABUSIVE,
    CLEAN,
    count,
    lines_to,
    make_workspace,
    proposal,
    run,
    ws,
)

__all__ = ["make_workspace", "ws"]


async def _state(ws: LocalWorkspace) -> tuple[int, ...]:
    return tuple([await count(ws, model) for model in (Proposal, Revision, Vote, AuditEvent, Idea)])


async def _reply(ws: LocalWorkspace, line: str) -> str:
    out = await ws.send(line)
    private = lines_to(out, f"private to {ws.user}") + lines_to(out, "workspace")
    assert private, out
    assert not lines_to(out, "#review") and not lines_to(out, "#approved")
    return "\n".join(out)


BAD_INPUT = [
    ("/propose", "There is no post to check yet"),
    ("/propose    ", "There is no post to check yet"),
    # Nothing a reader would see: zero-width space and joiner, word joiner, BOM,
    # a bidi isolate, a tag character, a Hangul filler, a lone combining mark.
    (
        "/propose \u200b\u200d\u2060\ufeff\u2066\U000e0041\u3164\u034f",
        "There is no post to check yet",
    ),
    ("/propose \u200b \u2800 \u200b", "There is no post to check yet"),
    ("/propose " + "a" * 4001, "4,001 characters long; the limit is 4,000"),
    ("/propose withdraw 99", "There is no proposal 99."),
    # a noun or "no." before the number is read past
    ("/propose withdraw proposal 99", "There is no proposal 99."),
    ("/propose status no. 99", "There is no proposal 99."),
    ("/idea done idea 99", "There is no idea 99"),
    # a number alone is no post and no idea
    ("/propose 3", '"/propose 3" has only a number. Did you mean /propose status 3?'),
    ("/propose #3", "Did you mean /propose status 3?"),
    ("/idea 3", "Did you mean /idea show 3?"),
    # a thank-you is no new text for a post
    ("/propose edit 99 thanks", "Put the new text after the number"),
    # /help with a near name explains that command
    ("/help proposal", "/propose edit N TEXT  replaces the text of your proposal N"),
    ("/help proposal", "postgate has no /proposal command. Did you mean /propose?"),
    ("/propose edit 99 New words", "There is no proposal 99."),
    ("/propose status 99", "There is no proposal 99."),
    ("/propose overrule 99", "There is no proposal 99."),
    ("/propose status 99999999999999999999", "There is no proposal 99999999999999999999."),
    ("/propose withdraw", "needs the proposal's number"),
    ("/propose withdraw four", "needs the proposal's number"),
    ("/propose edit four", "needs the proposal's number"),
    ("/propose status x", "needs the proposal's number"),
    ("/idea done x", "Say which idea by its number: /idea done N."),
    # a subcommand's word mistyped: the likely line, never a draft or an idea
    ("/propose withdrw 1", "Did you mean /propose withdraw 1?"),
    ("/propose stats", "Did you mean /propose status?"),
    ("/idea lst", "Did you mean /idea list?"),
    ("/idea snoze 1 2w", "Did you mean /idea snooze 1 2w?"),
    ("/idea snooze 1", "Say for how long"),
    ("/propose edit", "needs the proposal's number"),
    ("/propose withdraw 0", "There is no proposal 0."),
    # only a command's word, maybe with a number: never a post for the editors
    ("/propose help", "/propose withdraw N  takes your proposal N back"),
    ("/propose list", "Did you mean /propose status?"),
    ("/propose show 23", "Did you mean /propose status 23?"),
    ("/propose cancel 23", "Did you mean /propose withdraw 23?"),
    ("/propose delete 23", "Did you mean /propose withdraw 23?"),
    ("/propose approve 23", "Editors approve or reject a proposal by reacting to its card"),
    ("/propose status23", "Did you mean /propose status 23?"),
    ("/idea delete 3", "Did you mean /idea drop 3?"),
    # words after a complete subcommand: the usage, never silently dropped
    ("/propose withdraw 9 10 11", "One at a time, please: /propose withdraw 9, then"),
    ("/idea done 3 4", 'did not know what to do with "4"'),
    (
        "/idea help 3",
        '/idea help takes nothing after it, so postgate did not know what to do with "3"',
    ),
    # help for one command, and a mistyped command's name
    ("/help propose", "/propose edit N TEXT  replaces the text of your proposal N"),
    ("/help /propose", "/propose edit N TEXT  replaces the text of your proposal N"),
    ("/help propse", "postgate has no /propse command. Did you mean /propose?"),
    ("/propse hello", "postgate has no /propse command. Did you mean /propose?"),
    ("/nonsense", "postgate has no /nonsense command"),
    ("hello", "Lines here are commands."),
    ("/", "Type a command after the slash"),
    ("/as", "Give a name after /as"),
    ("/as two words", "Give a name after /as"),
    ("/react", "Write /react N EMOJI"),
    ("/react one ✅", "Write /react N EMOJI"),
    ("/unreact 1", "Write /unreact N EMOJI"),
    ("/react 99999999999999999999 ✅", "has no card on the review channel"),
    ("/react 5 white_check_mark", "Proposal 5 has no card"),
]


async def test_bad_input_gets_a_specific_reply_and_changes_nothing(ws: LocalWorkspace) -> None:
    # One workspace for every case: each must leave the database exactly as it was.
    before = await _state(ws)
    for line, expected in BAD_INPUT:
        assert expected in await _reply(ws, line), line
        assert await _state(ws) == before, line


async def test_the_limit_is_4000_characters(ws: LocalWorkspace) -> None:
    out = await run(ws, "/propose " + "a" * 4000)
    assert lines_to(out, "#review")


async def test_someone_elses_proposal_and_the_wrong_state(ws: LocalWorkspace) -> None:
    await run(ws, f"/propose {CLEAN}")
    before = await _state(ws)
    await ws.send("/as bob")
    for line in ("/propose withdraw 1", "/propose edit 1 Better words", "/propose overrule 1"):
        assert "Proposal 1 is someone else's" in await _reply(ws, line)
    assert "someone else's" in await _reply(ws, "/propose status 1")
    await ws.send("/as alex")
    assert "was not blocked by the checker" in await _reply(ws, "/propose overrule 1")
    assert "Put the new text after the number" in await _reply(ws, "/propose edit 1")
    assert await _state(ws) == before

    await run(ws, "/as editor", "/react 1 white_check_mark", "/as alex")
    before = await _state(ws)
    assert "is approved, so it can't be edited now" in await _reply(
        ws, "/propose edit 1 Better words"
    )
    withdrawn = await _reply(ws, "/propose withdraw 1")
    assert "is approved, so it can't be withdrawn now" in withdrawn
    assert "tell an editor: postgate does not publish posts or take them down" in withdrawn
    assert "propose it again" not in withdrawn
    assert await _state(ws) == before
    assert (await proposal(ws, 1)).revision == 1


async def test_status_with_a_courteous_or_listing_word_lists_your_proposals(
    ws: LocalWorkspace,
) -> None:
    await run(ws, f"/propose {CLEAN}")
    before = await _state(ws)
    listed = await _reply(ws, "/propose status")
    for line in ("/propose status please", "/propose status all", "/propose status mine"):
        assert await _reply(ws, line) == listed, line
    assert await _state(ws) == before


async def test_withdrawing_twice_says_it_is_already_withdrawn(ws: LocalWorkspace) -> None:
    await run(ws, f"/propose {CLEAN}", "/propose withdraw 1")
    before = await _state(ws)
    reply = await _reply(ws, "/propose withdraw 1")
    assert "Proposal 1 is already withdrawn." in reply and "can't be" not in reply
    assert await _state(ws) == before


async def test_asking_twice_to_overrule_says_it_is_already_with_the_editors(
    ws: LocalWorkspace,
) -> None:
    await run(ws, f"/propose {ABUSIVE}", "/propose overrule 1")
    before = await _state(ws)
    reply = await _reply(ws, "/propose overrule 1")
    assert "Proposal 1 is already with the editors as an overrule" in reply
    assert "was not blocked" not in reply
    assert await _state(ws) == before


async def test_someone_not_allowed_to_propose_is_told_and_nothing_is_stored(
    ws: LocalWorkspace,
) -> None:
    outsider = Actor(id="U9", name="outsider")  # no proposer role
    reply = await run_command(
        Invocation(workspace="local", actor=outsider, command="propose", text=CLEAN), ws.ctx
    )
    assert "Only approved users can propose posts" in reply.message.as_plain_text()
    assert reply.visibility == "private"
    # Asking what /propose does, or to approve, is answered for them too.
    for text, says in (
        ("help", "/propose withdraw N  takes your proposal N back"),
        ("approve 1", "Editors approve or reject a proposal by reacting to its card"),
    ):
        reply = await run_command(
            Invocation(workspace="local", actor=outsider, command="propose", text=text), ws.ctx
        )
        assert says in reply.message.as_plain_text(), text
    assert await _state(ws) == (0, 0, 0, 0, 0)


async def test_terminal_control_characters_are_not_printed(ws: LocalWorkspace) -> None:
    out = await run(ws, "/propose Hello \x1b[2J\x1b]0;pwned\x07 friends")
    assert all("\x1b" not in line and "\x07" not in line for line in out)


async def test_status_shows_my_proposals_and_one_in_full(ws: LocalWorkspace) -> None:
    await run(ws, f"/propose {CLEAN}", "/propose Second post about the summer fair")
    listing = "\n".join(await ws.send("/propose status"))
    assert "1: waiting for the editors" in listing
    assert "2: waiting for the editors" in listing
    assert "“Second post about the summer fair”" in listing  # which post each is
    full = "\n".join(await ws.send("/propose status 1"))
    assert CLEAN in full and "Votes on this version: none yet" in full
    await ws.send("/as editor")
    assert CLEAN in "\n".join(await ws.send("/propose status 1"))  # editors may look


async def test_status_list_shows_a_long_draft_as_its_first_words_on_one_line(
    ws: LocalWorkspace,
) -> None:
    await ws.send("/propose Canvassing in Godmanchester\n" + "word " * 40)
    listing = "\n".join(await ws.send("/propose status"))
    line = next(line for line in listing.splitlines() if line.strip().startswith("1: "))
    assert "“Canvassing in Godmanchester word word" in line and line.endswith("…”")


async def test_a_real_post_that_starts_with_a_command_word_goes_to_the_editors(
    ws: LocalWorkspace,
) -> None:
    for post in ("Cancel the cuts to our bus routes!", "Help us clean up St Neots this Saturday"):
        out = await run(ws, f"/propose {post}")
        assert lines_to(out, "#review") and any(post in line for line in out), post
    assert await count(ws, Proposal) == 2


async def test_several_numbers_withdraw_none_of_them(ws: LocalWorkspace) -> None:
    await run(ws, f"/propose {CLEAN}", "/propose Second post about the summer fair")
    reply = await _reply(ws, "/propose withdraw 1 2")
    assert "One at a time, please: /propose withdraw 1, then /propose withdraw 2." in reply
    assert [(await proposal(ws, n)).status for n in (1, 2)] == ["pending", "pending"]


@pytest.mark.parametrize(
    ("line", "meant"),
    [
        ("/idea drp 3", "Did you mean /idea drop 3?"),
        ("/propose status23", "Did you mean /propose status 23?"),
        ("/propose cancel 3", "Did you mean /propose withdraw 3?"),
    ],
)
async def test_a_suggestion_is_one_message_with_the_usage_once(
    ws: LocalWorkspace, line: str, meant: str
) -> None:
    reply = await _reply(ws, line)
    first = reply.splitlines()[0]
    assert first.endswith(f"{meant} Nothing was changed."), first
    command = line.split()[0]
    usage_lines = [row for row in reply.splitlines() if row.startswith(f"  -- {command} ")]
    assert len(usage_lines) == len(set(usage_lines)) >= 2  # each form once, under it
    assert " | " not in reply  # not the one-line usage as well


async def test_the_reminders_suggestion_for_an_editor(ws: LocalWorkspace) -> None:
    await ws.send("/as editor")
    reply = await _reply(ws, "/reminders pauze")
    assert 'postgate does not know "/reminders pauze". Did you mean /reminders pause?' in reply


async def test_help_lists_the_commands(ws: LocalWorkspace) -> None:
    out = "\n".join(await ws.send("/help"))
    assert "/propose TEXT" in out and "/help" in out and "/react N EMOJI" in out


USAGE = "usage"  # the line gets its usage back, and runs nothing


@pytest.mark.parametrize(
    ("raw", "subcommand", "values"),
    [
        ("Hello all", "new", {"text": "Hello all"}),
        ("status", "status", {"number": None}),
        ("status 3", "status", {"number": 3}),
        ("Status update: the fair is on!", "new", {"text": "Status update: the fair is on!"}),
        ("status 3 things we did", "new", {"text": "status 3 things we did"}),
        ("edit 2 New text\nsecond line", "edit", {"number": 2, "text": "New text\nsecond line"}),
        ("Edit your details at the link", "new", {"text": "Edit your details at the link"}),
        ("withdraw #4", "withdraw", {"number": 4}),
        ("withdraw 4 please", "withdraw", {"number": 4}),
        ("withdraw proposal 4", "withdraw", {"number": 4}),
        ("withdraw no. 4", "withdraw", {"number": 4}),
        ("edit proposal 3 Better words", "edit", {"number": 3, "text": "Better words"}),
        ("edit 3 thanks", "edit", USAGE),
        ("status please", "status", {"number": None}),
        ("status all", "status", {"number": None}),
        ("3", "status", USAGE),
        ("overrule 7", "overrule", {"number": 7}),
        ("withdraw", "withdraw", USAGE),
        ("withdraw four", "withdraw", USAGE),
        ("edit four", "edit", USAGE),
        ("edit 3", "edit", USAGE),
        ("edit 3rd time lucky", "new", {"text": "edit 3rd time lucky"}),
        ("withdrw 1", "withdraw", USAGE),
        (
            "Edits to the newsletter are due Friday",
            "new",
            {"text": "Edits to the newsletter are due Friday"},
        ),
        ("Stats show 40% more", "new", {"text": "Stats show 40% more"}),
        ("Queueing at the polls", "new", {"text": "Queueing at the polls"}),
    ],
)
def test_reading_propose(raw: str, subcommand: str, values: object) -> None:
    reading = read(PROPOSE, raw)
    assert reading.subcommand.name == subcommand
    if values == USAGE:
        assert reading.problem
    else:
        assert (reading.values, reading.problem) == (values, "")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("withdraw 3", '"withdraw 3" is a command of its own, /propose withdraw 3'),
        ("status", "use /propose status."),
    ],
)
def test_the_plain_form_named_by_the_platform_never_runs_another_subcommand(
    line: str, expected: str
) -> None:
    """Discord's `/propose new text:"withdraw 3"`: the member chose the post's form."""
    reading = read(PROPOSE, line, plain=True)
    assert reading.subcommand.name == "new" and reading.values == {}
    assert expected in reading.problem


def test_the_plain_form_named_by_the_platform_takes_a_sentence_as_it_is() -> None:
    reading = read(PROPOSE, "Withdraw the cuts to our buses", plain=True)
    assert reading.values == {"text": "Withdraw the cuts to our buses"}
