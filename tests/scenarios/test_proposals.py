"""The proposal workflow end to end, driven through the local workspace as people
would type it, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from bot.platforms.local.platform import LocalWorkspace
from guidance.checker.checker import Checker
from guidance.policy import load_policy
from handlers.messages import MentionKind
from handlers.proposals.expiry import expire_overdue
from storage.models import Revision
from tests.clock import FixedClock
from tests.workflow_support import (
    ABUSIVE,
    CLEAN,
    START,
    WorkspaceFactory,
    audit_events,
    audit_kinds,
    count,
    lines_to,
    make_workspace,
    proposal,
    run,
    votes,
    ws,
)

__all__ = ["make_workspace", "ws"]  # fixtures used below


async def test_clean_post_is_approved_by_an_editor_and_delivered(ws: LocalWorkspace) -> None:
    out = await run(ws, f"/propose {CLEAN}")
    assert lines_to(out, "#review") == ["[#review] Proposal 1 from alex: waiting for an editor"]
    assert "| " + CLEAN in [line.strip() for line in out]
    assert any("Who decides: @editor, @chair" in line for line in out)
    assert lines_to(out, "private to alex")[0].startswith("[private to alex] Thanks! Proposal 1")

    out = await run(ws, "/as editor", "/react 1 white_check_mark")
    approved = lines_to(out, "#approved")
    assert approved == ["[#approved] Ready to publish: proposal 1 from alex"]
    assert "| " + CLEAN in [line.strip() for line in out]
    assert lines_to(out, "dm to alex") == [
        "[dm to alex] Good news: editor approved your proposal 1. It is in the approved "
        "channel, ready to publish exactly as approved."
    ]
    assert "[#review] (card updated) Proposal 1 from alex: APPROVED" in out

    row = await proposal(ws, 1)
    assert (row.status, row.decided_by, row.decided_at) == ("approved", "editor", START)
    assert await audit_kinds(ws, 1) == [
        "proposed",
        "checked",
        "posted_for_review",
        "vote_added",
        "approved",
    ]
    (decision,) = await audit_events(ws, "approved")
    assert (decision.actor_id, decision.detail) == ("editor", {"by": ["editor"], "revision": 1})
    (checked,) = await audit_events(ws, "checked")
    assert checked.detail == {"revision": 1, "verdict": "pass", "rules": [], "sections": []}


async def test_the_proposer_cannot_approve_their_own_post(ws: LocalWorkspace) -> None:
    out = await run(ws, "/as editor", f"/propose {CLEAN}", "/react 1 white_check_mark")
    assert "[workspace] Your reaction on your own proposal is not a vote." in out
    assert lines_to(out, "#approved") == []
    assert (await proposal(ws, 1)).status == "pending"
    assert await votes(ws) == 0
    assert "vote_added" not in await audit_kinds(ws)


async def test_a_non_editors_reaction_is_ignored(ws: LocalWorkspace) -> None:
    out = await run(ws, f"/propose {CLEAN}", "/as bob", "/react 1 white_check_mark", "/react 1 x")
    assert "[workspace] bob is not an editor, so this reaction is not a vote." in out
    assert (await proposal(ws, 1)).status == "pending"
    assert await votes(ws) == 0


async def test_other_emoji_are_not_votes(ws: LocalWorkspace) -> None:
    await run(ws, f"/propose {CLEAN}", "/as editor", "/react 1 tada", "/react 1 👍")
    assert (await proposal(ws, 1)).status == "pending"
    assert await votes(ws) == 0


async def test_removing_a_reaction_withdraws_the_vote(make_workspace: WorkspaceFactory) -> None:
    ws = await make_workspace(approvals_required=2)
    await run(ws, f"/propose {CLEAN}", "/as editor", "/react 1 ✅")
    assert await votes(ws) == 1
    await run(ws, "/unreact 1 white_check_mark")
    assert await votes(ws) == 0
    await run(ws, "/as chair", "/react 1 white_check_mark")
    assert (
        await proposal(ws, 1)
    ).status == "pending"  # one approval of two: editor's was taken back
    out = await run(ws, "/as editor", "/react 1 white_check_mark")
    assert lines_to(out, "#approved")
    assert (await proposal(ws, 1)).decided_by == "chair, editor"
    assert await audit_kinds(ws, 1) == [
        "proposed",
        "checked",
        "posted_for_review",
        "vote_added",
        "vote_withdrawn",
        "vote_added",
        "vote_added",
        "approved",
    ]
    withdrawn = (await audit_events(ws, "vote_withdrawn"))[0]
    assert (withdrawn.actor_id, withdrawn.detail) == ("editor", {"vote": "approve", "revision": 1})


async def test_one_reject_rejects(make_workspace: WorkspaceFactory) -> None:
    ws = await make_workspace(approvals_required=2)
    out = await run(ws, f"/propose {CLEAN}", "/as chair", "/react 1 ❌")
    assert lines_to(out, "dm to alex")[0].startswith("[dm to alex] chair rejected your proposal 1")
    assert lines_to(out, "#approved") == []
    row = await proposal(ws, 1)
    assert (row.status, row.decided_by) == ("rejected", "chair")
    # A decided proposal takes no more votes.
    await run(ws, "/as editor", "/react 1 white_check_mark")
    assert (await proposal(ws, 1)).status == "rejected"
    assert await audit_kinds(ws, 1) == [
        "proposed",
        "checked",
        "posted_for_review",
        "vote_added",
        "rejected",
    ]


async def test_request_changes_then_edit_then_approve(ws: LocalWorkspace) -> None:
    await run(ws, f"/propose {CLEAN}")
    out = await run(ws, "/as editor", "/react 1 pencil2")
    assert lines_to(out, "dm to alex")[0].startswith(
        "[dm to alex] editor asked for changes to your proposal 1."
    )
    assert (await proposal(ws, 1)).status == "changes_requested"

    new_text = "Thank you to everyone who canvassed in St Ives and Ramsey on Saturday!"
    out = await run(ws, "/as alex", f"/propose edit 1 {new_text}")
    assert lines_to(out, "private to alex") == ["[private to alex] Proposal 1 is now version 2."]
    # A fresh card per revision: the old one says it is superseded, the new one waits.
    assert "[#review] (card updated) Proposal 1 from alex: superseded by revision 2" in out
    assert "[#review] Proposal 1 from alex: waiting for an editor" in out
    # ...and alex is told the editors decide on the new card now.
    assert lines_to(out, "dm to alex") == [
        "[dm to alex] Version 2 of your proposal 1 has a new card on the review channel. The "
        "editors decide on this version; reactions on the earlier card no longer count."
    ]
    row = await proposal(ws, 1)
    assert (row.status, row.revision) == ("pending", 2)

    out = await run(ws, "/as editor", "/react 1 white_check_mark")
    assert lines_to(out, "#approved")
    assert "| " + new_text in [line.strip() for line in out]
    assert await audit_kinds(ws, 1) == [
        "proposed",
        "checked",
        "posted_for_review",
        "vote_added",
        "changes_requested",
        "revised",
        "checked",
        "posted_for_review",
        "vote_added",
        "approved",
    ]
    (revised,) = await audit_events(ws, "revised")
    assert (revised.actor_id, revised.detail) == ("alex", {"revision": 2})
    (changes,) = await audit_events(ws, "changes_requested")
    assert changes.actor_id == "editor"
    (decision,) = await audit_events(ws, "approved")
    assert decision.detail == {"by": ["editor"], "revision": 2}
    assert await count(ws, Revision) == 2


async def test_votes_on_an_earlier_version_no_longer_count(
    make_workspace: WorkspaceFactory,
) -> None:
    ws = await make_workspace(approvals_required=2)
    await run(ws, f"/propose {CLEAN}", "/as editor", "/react 1 white_check_mark")
    await run(ws, "/as alex", "/propose edit 1 Thanks to all our canvassers in St Ives!")
    await run(ws, "/as chair", "/react 1 white_check_mark")
    assert (await proposal(ws, 1)).status == "pending"  # editor's vote was on version 1
    out = await run(ws, "/as editor", "/react 1 white_check_mark")
    assert lines_to(out, "#approved")


async def test_an_edit_the_checker_blocks_leaves_the_old_card_saying_so(
    ws: LocalWorkspace,
) -> None:
    await run(ws, f"/propose {CLEAN}")
    out = await run(ws, f"/propose edit 1 {ABUSIVE}")
    superseded = "\n".join(out)
    assert "superseded by revision 2" in superseded
    assert "The checker blocked that version, so it is not on review" in superseded
    assert "further down" not in superseded  # no new card is coming
    assert "not sent to the editors" in "\n".join(lines_to(out, "private to alex"))
    assert (await proposal(ws, 1)).status == "blocked"


async def test_withdraw_updates_the_card_and_counts_as_final(ws: LocalWorkspace) -> None:
    out = await run(ws, f"/propose {CLEAN}", "/propose withdraw 1")
    assert "[#review] (card updated) Proposal 1 from alex: withdrawn" in out
    row = await proposal(ws, 1)
    assert (row.status, row.decided_by) == ("withdrawn", "alex")
    await run(ws, "/as editor", "/react 1 white_check_mark")
    assert (await proposal(ws, 1)).status == "withdrawn"
    assert (await audit_kinds(ws, 1))[-1] == "withdrawn"


async def test_a_block_stays_private_then_two_editors_overrule(ws: LocalWorkspace) -> None:
    out = await run(ws, f"/propose {ABUSIVE}")
    assert lines_to(out, "#review") == []
    assert all(line.startswith(("[private to alex]", "  ")) for line in out)
    assert "blocked" in out[0]
    assert any("/guidance " in line for line in out)
    assert any("/propose overrule 1" in line for line in out)
    assert (await proposal(ws, 1)).status == "blocked"

    # Reactions before it is on the review channel change nothing.
    await run(ws, "/as editor", "/react 1 white_check_mark")
    assert (await proposal(ws, 1)).status == "blocked"

    out = await run(ws, "/as alex", "/propose overrule 1")
    review = lines_to(out, "#review")
    assert review and "BLOCKED" in review[0]
    out = await run(ws, "/as editor", "/react 1 white_check_mark")
    assert lines_to(out, "#approved") == []
    assert (await proposal(ws, 1)).status == "pending"
    out = await run(ws, "/as chair", "/react 1 white_check_mark")
    assert lines_to(out, "#approved")
    row = await proposal(ws, 1)
    assert (row.status, row.overrule, row.decided_by) == ("approved", True, "editor, chair")
    kinds = await audit_kinds(ws, 1)
    assert kinds.count("overruled") == 1
    assert "approved" not in kinds
    assert kinds[:3] == ["proposed", "checked", "overrule_requested"]
    (checked,) = await audit_events(ws, "checked")
    assert checked.detail["verdict"] == "block"
    assert checked.detail["rules"]


async def test_expiry_after_the_configured_days(make_workspace: WorkspaceFactory) -> None:
    clock = FixedClock(START)
    ws = await make_workspace(clock=clock, expire_days=14)
    await run(ws, f"/propose {CLEAN}")
    clock.advance(timedelta(days=10))
    await run(ws, "/propose Our next meeting is on Tuesday at the library, all welcome.")
    clock.advance(timedelta(days=4, seconds=1))
    ws.drain()
    assert await expire_overdue(ws.ctx) == 1
    out = ws.drain()
    assert "[#review] (card updated) Proposal 1 from alex: expired" in out
    assert lines_to(out, "dm to alex")[0].startswith("[dm to alex] Your proposal 1 expired")
    row = await proposal(ws, 1)
    assert (row.status, row.decided_at, row.decided_by) == ("expired", clock.now(), None)
    assert (await proposal(ws, 2)).status == "pending"
    assert await expire_overdue(ws.ctx) == 0  # run again: nothing more
    (expired,) = await audit_events(ws, "expired")
    assert (expired.proposal_id, expired.actor_id) == (1, None)
    # Expired is not rejected, and takes no more votes.
    await run(ws, "/as editor", "/react 1 white_check_mark")
    assert (await proposal(ws, 1)).status == "expired"
    assert await audit_events(ws, "rejected") == []


async def test_member_text_never_becomes_a_mention(ws: LocalWorkspace) -> None:
    draft = "Big news @here @channel <!channel> <!here> @everyone <@U123> <@&42> @editor"
    await run(ws, f"/propose {draft}", "/as editor", "/react 1 white_check_mark")
    assert ws.port.sent
    for _where, message in ws.port.sent:
        for mention in message.mentions():
            assert mention.kind == MentionKind.USER
            assert mention.id in {"editor", "chair"}
    cards = [m for where, m in ws.port.sent if where == "#review"]
    assert cards[0].quote == draft


async def test_election_material_reaches_the_approved_channel_with_an_imprint_reminder(
    ws: LocalWorkspace,
) -> None:
    draft = "Vote Labour on Thursday! Polls are open from 7am to 10pm."
    flagged = "imprint" in Checker(load_policy()).check(draft).rules()
    out = await run(ws, f"/propose {draft}", "/as editor", "/react 1 white_check_mark")
    assert lines_to(out, "#approved")
    reminder = [line for line in out if "Before you publish: add the imprint" in line]
    assert bool(reminder) == flagged
    clean = await run(ws, "/as alex", f"/propose {CLEAN}", "/as editor", "/react 2 ✅")
    assert lines_to(clean, "#approved")
    assert not [line for line in clean if "imprint" in line]


async def test_a_blocked_draft_expires_quietly(make_workspace: WorkspaceFactory) -> None:
    clock = FixedClock(START)
    ws = await make_workspace(clock=clock)
    await run(ws, f"/propose {ABUSIVE}")
    clock.advance(timedelta(days=15))
    ws.drain()
    assert await expire_overdue(ws.ctx) == 1
    out = ws.drain()
    assert lines_to(out, "#review") == []
    assert lines_to(out, "dm to alex")[0].startswith(
        "[dm to alex] Your proposal 1 expired: it was blocked by the checker"
    )


async def test_a_withdrawn_blocked_draft_mentions_no_card(ws: LocalWorkspace) -> None:
    await run(ws, f"/propose {ABUSIVE}")
    said = "\n".join(await ws.send("/propose withdraw 1"))
    assert "Proposal 1 is withdrawn." in said
    assert "card" not in said  # a blocked draft never had one


async def test_a_reaction_after_the_decision_is_said_to_change_nothing(ws: LocalWorkspace) -> None:
    await run(ws, f"/propose {CLEAN}", "/as editor", "/react 1 white_check_mark", "/as chair")
    said = "\n".join(await ws.send("/unreact 1 white_check_mark"))
    assert "Proposal 1 is already approved, so this reaction changes nothing." in said
    assert (await proposal(ws, 1)).status == "approved"
