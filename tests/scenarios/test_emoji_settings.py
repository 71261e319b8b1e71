"""The voting emoji as a volunteer writes them in .env: whatever names a real emoji
(its name in any case, with colons, another name Slack has for it, or the emoji
itself) is the emoji the card asks for, and the editor's reaction with it counts,
whether it arrives as Slack names it or as Discord sends it (the character)."""

from __future__ import annotations

import re

import pytest

from tests.workflow_support import (
    CLEAN,
    WorkspaceFactory,
    lines_to,
    make_workspace,
    proposal,
    run,
)

__all__ = ["make_workspace"]  # the fixture used below

SPELLINGS = [
    # (POSTGATE_APPROVE_EMOJI as written, what the card shows, the reactions that count)
    ("thumbsup", "👍 (:+1:)", ("+1", "👍", "thumbsup", "+1::skin-tone-3", "👍🏽")),
    ("+1", "👍 (:+1:)", ("+1", "👍")),
    ("✅", "✅ (:white_check_mark:)", ("white_check_mark", "✅")),
    (":white_check_mark:", "✅ (:white_check_mark:)", ("white_check_mark", "✅")),
    ("White_Check_Mark", "✅ (:white_check_mark:)", ("white_check_mark", "✅")),
    ("✔️, :Heavy_Check_Mark:", "✔️ (:heavy_check_mark:)", ("heavy_check_mark", "✔")),
]


@pytest.mark.parametrize(
    ("written", "shown", "reactions"), SPELLINGS, ids=[s[0] for s in SPELLINGS]
)
async def test_an_approve_emoji_written_any_way_counts(
    make_workspace: WorkspaceFactory, written: str, shown: str, reactions: tuple[str, ...]
) -> None:
    ws = await make_workspace(POSTGATE_APPROVE_EMOJI=written)
    for number, reaction in enumerate(reactions, start=1):
        out = await run(ws, "/as alex", f"/propose {CLEAN} ({number})")
        card = "\n".join(out)
        assert f"React {shown} to approve" in card, card
        assert "::" not in card

        out = await run(ws, "/as editor", f"/react {number} {reaction}")
        assert lines_to(out, "#approved") == [
            f"[#approved] Ready to publish: proposal {number} from alex"
        ], (reaction, out)
        assert (await proposal(ws, number)).status == "approved"


async def test_reject_and_changes_written_as_emoji_count_too(
    make_workspace: WorkspaceFactory,
) -> None:
    ws = await make_workspace(
        POSTGATE_APPROVE_EMOJI="👍",
        POSTGATE_REJECT_EMOJI=":ThumbsDown:",
        POSTGATE_CHANGES_EMOJI="✏️",
    )
    out = await run(ws, f"/propose {CLEAN}", f"/propose {CLEAN} Again.")
    hint = next(line for line in out if "to approve" in line)
    assert re.search(
        r"React 👍 \(:\+1:\) to approve .*, 👎 \(:-1:\) to reject, ✏️ \(:pencil2:\)", hint
    )

    await run(ws, "/as editor", "/react 1 -1", "/react 2 pencil2")
    assert (await proposal(ws, 1)).status == "rejected"
    assert (await proposal(ws, 2)).status == "changes_requested"


async def test_a_workspace_s_own_emoji_can_be_the_vote(make_workspace: WorkspaceFactory) -> None:
    ws = await make_workspace(POSTGATE_APPROVE_EMOJI=":Labour_Rose:")
    out = await run(ws, f"/propose {CLEAN}")
    assert "labour_rose" in "\n".join(out) and "::" not in "\n".join(out)
    out = await run(ws, "/as editor", "/react 1 labour_rose")
    assert lines_to(out, "#approved")
