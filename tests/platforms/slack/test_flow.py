"""The real proposal flow through Slack, end to end over HTTP: signed slash commands and
event callbacks in, and what the app sends to the (fake) Slack Web API out."""

from __future__ import annotations

import json
import re
import time

from sqlalchemy import func, select

from storage.models import AuditEvent, AuditKind, Idea, Proposal, Revision, Vote
from tests.fakes.slack_api import BOT_USER_ID, FakeCall, FakeSlack
from tests.fakes.slack_harness import (
    APPROVED,
    EDITORS,
    REVIEW,
    RunningSlack,
    reaction_event,
    running_slack,
)

PROPOSER = "UMEMBER01"
DRAFT = "Come and help at our street stall on Saturday morning in the town square."


def _dump(call: FakeCall) -> str:
    return json.dumps(call.params)


async def _propose(slack: RunningSlack, draft: str = DRAFT) -> FakeCall:
    """/propose as a member; returns the review card the app posted."""
    status, body = await slack.sender.command(
        text=draft,
        user_id=PROPOSER,
        user_name="sam",
        response_url=slack.fake.response_url("propose"),
    )
    assert (status, body) == (200, "")
    await slack.fake.wait_for(
        lambda calls: (
            any(c.method == "chat.postMessage" and c.params["channel"] == REVIEW for c in calls)
            and any(c.method == "response_url" for c in calls)
        )
    )
    [card] = _posts(slack.fake, REVIEW)
    return card


def _posts(fake: FakeSlack, channel: str) -> list[FakeCall]:
    return [c for c in fake.calls_to("chat.postMessage") if c.params["channel"] == channel]


async def _proposal(slack: RunningSlack) -> Proposal:
    async with slack.services.db.session() as session:
        return (await session.execute(select(Proposal))).scalars().one()


async def _count(slack: RunningSlack, model: type[object], *where: object) -> int:
    async with slack.services.db.session() as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)  # type: ignore[arg-type]
        return int((await session.execute(query)).scalar_one())


async def _react(
    slack: RunningSlack,
    *,
    user: str,
    ts: str,
    emoji: str = "white_check_mark",
    added: bool = True,
    event_id: str,
    retry_num: int | None = None,
) -> None:
    status, _ = await slack.sender.event(
        reaction_event(user=user, emoji=emoji, channel=REVIEW, ts=ts, added=added),
        event_id=event_id,
        retry_num=retry_num,
    )
    assert status == 200


async def test_propose_card_editor_approves_card_updated_approved_posted_proposer_told(
    database_url: str,
) -> None:
    async with running_slack(database_url) as slack:
        card = await _propose(slack)
        [ack] = slack.fake.calls_to("response_url")
        assert ack.params["response_type"] == "ephemeral"
        for editor in EDITORS:
            assert f"<@{editor}>" in _dump(card), "the card lists the editors by mention"
        proposal = await _proposal(slack)
        assert proposal.workspace == "slack:T0POSTGATE"
        assert proposal.card_channel == REVIEW and proposal.card_message_id
        ts = proposal.card_message_id
        # postgate's own hint reactions on the card, and Slack echoing them back, change nothing.
        await slack.fake.wait_calls("reactions.add", 3)
        await _react(slack, user=BOT_USER_ID, ts=ts, event_id="EvBOT1")

        await _react(slack, user=EDITORS[0], ts=ts, event_id="EvAPPROVE1")
        await slack.fake.wait_for(
            lambda calls: (
                bool(_posts(slack.fake, APPROVED))
                and any(c.method == "chat.update" for c in calls)
                and any(c.method == "conversations.open" for c in calls)
            )
        )
        # The card says what is true: first that the post is on its way, then that it is out.
        posting, update = slack.fake.calls_to("chat.update")
        assert "Posting it to the approved channel" in _dump(posting)
        assert (update.params["channel"], update.params["ts"]) == (REVIEW, ts)
        assert "Sent to the approved channel" in _dump(update)
        [approved] = _posts(slack.fake, APPROVED)
        assert "street stall" in _dump(approved)
        [dm_open] = slack.fake.calls_to("conversations.open")
        assert dm_open.params["users"] == PROPOSER
        await slack.fake.wait_for(lambda _c: bool(_posts(slack.fake, "DMEMBER01")))
        assert (await _proposal(slack)).status == "approved"
        looked_up = [c.params["user"] for c in slack.fake.calls_to("users.info")]
        assert looked_up == [EDITORS[0]]  # the editor's name; the bot's own event was dropped


async def test_a_non_editors_reaction_decides_nothing(database_url: str) -> None:
    async with running_slack(database_url) as slack:
        await _propose(slack)
        ts = (await _proposal(slack)).card_message_id
        assert ts
        await _react(slack, user="UMEMBER02", ts=ts, event_id="EvNOTEDITOR")
        await _react(slack, user=PROPOSER, ts=ts, event_id="EvSELF")
        await slack.fake.settle(quiet=0.3)
        assert slack.fake.calls_to("chat.update") == []
        assert _posts(slack.fake, APPROVED) == []
        assert (await _proposal(slack)).status == "pending"
        assert await _count(slack, Vote) == 0


async def test_a_retried_event_changes_nothing_twice(database_url: str) -> None:
    async with running_slack(database_url, POSTGATE_APPROVALS_REQUIRED=2) as slack:
        await _propose(slack)
        ts = (await _proposal(slack)).card_message_id
        assert ts
        await _react(slack, user=EDITORS[0], ts=ts, event_id="EvADD")
        await _wait_votes(slack, 1)
        await _react(slack, user=EDITORS[0], ts=ts, added=False, event_id="EvREMOVE")
        await _wait_votes(slack, 0)
        # Slack did not see the first ack in time and sends the same event again.
        await _react(slack, user=EDITORS[0], ts=ts, event_id="EvADD", retry_num=1)
        await _react(slack, user=EDITORS[0], ts=ts, event_id="EvADD", retry_num=2)
        await slack.fake.settle(quiet=0.3)
        assert await _count(slack, Vote) == 0
        added = AuditEvent.kind == AuditKind.VOTE_ADDED
        assert await _count(slack, AuditEvent, added) == 1
        assert (await _proposal(slack)).status == "pending"


async def test_the_same_approval_delivered_twice_decides_once(database_url: str) -> None:
    async with running_slack(database_url) as slack:
        await _propose(slack)
        ts = (await _proposal(slack)).card_message_id
        assert ts
        await _react(slack, user=EDITORS[0], ts=ts, event_id="EvTWICE")
        await _react(slack, user=EDITORS[0], ts=ts, event_id="EvTWICE", retry_num=1)
        await slack.fake.wait_for(lambda _c: bool(_posts(slack.fake, APPROVED)))
        await slack.fake.settle(quiet=0.3)
        assert len(_posts(slack.fake, APPROVED)) == 1
        assert await _count(slack, AuditEvent, AuditEvent.kind == AuditKind.APPROVED) == 1


async def _wait_votes(slack: RunningSlack, expected: int) -> None:
    deadline = time.monotonic() + 5
    while await _count(slack, Vote) != expected:
        assert time.monotonic() < deadline, f"votes never reached {expected}"
        await slack.fake.settle(quiet=0.05, within=0.1)


async def test_a_bad_signature_is_refused_and_stores_nothing(database_url: str) -> None:
    async with running_slack(database_url) as slack:
        status, _ = await slack.sender.command(
            text=DRAFT, user_id=PROPOSER, signature="v0=" + "a" * 64
        )
        assert status == 401
        status, _ = await slack.sender.event(
            reaction_event(user=EDITORS[0], emoji="x", channel=REVIEW, ts="1.2"),
            event_id="EvFORGED",
            signature="v0=" + "b" * 64,
        )
        assert status == 401
        await slack.fake.settle(quiet=0.3)
        assert await _count(slack, Proposal) == 0
        assert await _count(slack, AuditEvent) == 0
        assert [c.method for c in slack.fake.calls] == ["auth.test", "bots.info"]  # at start


async def test_a_stale_timestamp_is_refused(database_url: str) -> None:
    async with running_slack(database_url) as slack:
        stale = int(time.time()) - 6 * 60
        status, _ = await slack.sender.command(text=DRAFT, user_id=PROPOSER, timestamp=stale)
        assert status == 401
        status, _ = await slack.sender.event(
            reaction_event(user=EDITORS[0], emoji="x", channel=REVIEW, ts="1.2"),
            event_id="EvSTALE",
            timestamp=stale,
        )
        assert status == 401
        await slack.fake.settle(quiet=0.3)
        assert await _count(slack, Proposal) == 0
        assert [c.method for c in slack.fake.calls] == ["auth.test", "bots.info"]  # at start


LIVE_MARKUP = re.compile(r"<(!channel|!here|!everyone|@U0BOSS|https?://)[^>]*>")


async def test_a_draft_with_channel_pings_and_links_pings_no_one(database_url: str) -> None:
    draft = (
        "Big news <!channel> and <!here>! Thanks <@U0BOSS> for the stall: "
        "details at <https://evil.example|our page> & more."
    )
    async with running_slack(database_url) as slack:
        card = await _propose(slack, draft)
        stored = await _proposal(slack)
        assert stored.card_message_id
        await _react(slack, user=EDITORS[0], ts=stored.card_message_id, event_id="EvOK")
        await slack.fake.wait_for(lambda _c: bool(_posts(slack.fake, APPROVED)))
        await slack.fake.settle(quiet=0.2)
        assert "&lt;!channel&gt;" in _dump(card)
        for call in slack.fake.calls:
            assert not LIVE_MARKUP.search(_dump(call)), f"{call.method} would ping or link"
        # Slack's own escaping of the typed text is undone once: stored as the member wrote it.
        async with slack.services.db.session() as session:
            text = (await session.execute(select(Revision.text))).scalar_one()
        assert "<!channel>" in text


async def test_command_text_escaped_by_slack_is_stored_as_typed(database_url: str) -> None:
    async with running_slack(database_url) as slack:
        card = await _propose(slack, "Fish &amp; chips &lt;!here&gt; at the stall on Saturday.")
        async with slack.services.db.session() as session:
            text = (await session.execute(select(Revision.text))).scalar_one()
        assert text == "Fish & chips <!here> at the stall on Saturday."
        assert "Fish &amp; chips &lt;!here&gt;" in _dump(card)


async def test_proposer_is_told_in_the_cards_thread_when_a_dm_is_refused(
    database_url: str,
) -> None:
    async with running_slack(database_url) as slack:
        await _propose(slack)
        ts = (await _proposal(slack)).card_message_id
        assert ts
        slack.fake.fail_next("conversations.open", "cannot_dm_bot")
        await _react(slack, user=EDITORS[0], ts=ts, emoji="x", event_id="EvREJECT")
        await slack.fake.wait_for(
            lambda _c: any("thread_ts" in c.params for c in _posts(slack.fake, REVIEW))
        )
        [thread_reply] = [c for c in _posts(slack.fake, REVIEW) if "thread_ts" in c.params]
        assert thread_reply.params["thread_ts"] == ts
        assert f"<@{PROPOSER}>" in _dump(thread_reply)
        assert _posts(slack.fake, APPROVED) == []
        assert (await _proposal(slack)).status == "rejected"


async def test_a_blocked_draft_is_told_privately_and_posts_no_card(database_url: str) -> None:
    async with running_slack(database_url) as slack:
        await slack.sender.command(
            text="Vote them out, they are Tory scum",
            user_id=PROPOSER,
            response_url=slack.fake.response_url("blocked"),
        )
        [answer] = await slack.fake.wait_calls("response_url")
        await slack.fake.settle(quiet=0.2)
        assert answer.params["response_type"] == "ephemeral"
        assert _posts(slack.fake, REVIEW) == []
        assert (await _proposal(slack)).status == "blocked"


async def test_a_subcommand_with_a_bad_argument_gets_its_usage_and_changes_nothing(
    database_url: str,
) -> None:
    async with running_slack(database_url) as slack:
        await _propose(slack)
        # The first /propose's answer went to "propose" already: each line adds one more.
        for command, text, usage, answers in (
            ("/propose", "withdraw four", "/propose withdraw N", 2),
            ("/idea", "done x", "/idea done N", 1),
        ):
            key = command.strip("/")
            status, _ = await slack.sender.command(
                command=command,
                text=text,
                user_id=PROPOSER,
                response_url=slack.fake.response_url(key),
            )
            assert status == 200

            def to_key(calls: list[FakeCall], key: str = key) -> list[FakeCall]:
                return [c for c in calls if c.method == "response_url" and c.params["key"] == key]

            await slack.fake.wait_for(lambda calls, n=answers: len(to_key(calls)) >= n)
            answer = to_key(slack.fake.calls)[-1]
            assert usage in _dump(answer) and "Nothing was changed" in _dump(answer)
        await slack.fake.settle(quiet=0.3)
        assert await _count(slack, Proposal) == 1
        assert (await _proposal(slack)).status == "pending"
        assert await _count(slack, Revision) == 1
        assert await _count(slack, Idea) == 0
        assert len(_posts(slack.fake, REVIEW)) == 1
