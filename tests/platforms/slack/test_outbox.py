"""The outbox on Slack: with the fake Slack failing on purpose (500s, 429s with
Retry-After, answers lost after Slack did the work), every message postgate owes
goes out exactly once once Slack recovers, and each card ends in its true state."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import select

from bot.sender import OutboxSender
from storage.models import OutboxMessage, Proposal, Vote
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_harness import (
    APPROVED,
    EDITORS,
    REVIEW,
    RunningSlack,
    reaction_event,
    running_slack,
)

PROPOSER = "UMEMBER01"
DM = "DMEMBER01"  # the fake's DM channel with PROPOSER
DRAFT = "Come and help at our street stall on Saturday morning in the town square."
WITHIN = 20.0  # seconds: a few doubling retries, and Retry-After waits


@asynccontextmanager
async def sending(database_url: str, **overrides: object) -> AsyncIterator[RunningSlack]:
    """The Slack platform with the outbox's sender beside it, as `postgate run` has."""
    async with running_slack(database_url, **overrides) as slack:
        sender = OutboxSender(services=slack.services, every=0.1)
        await sender.start([slack.platform])
        try:
            yield slack
        finally:
            await sender.stop()


def _top_level(fake: FakeSlack, channel: str) -> list[dict[str, Any]]:
    return [m for m in fake.messages(channel) if m["thread_ts"] is None]


async def _propose(slack: RunningSlack, key: str = "propose") -> str:
    answered = len(slack.fake.calls_to("response_url")) + 1
    status, _ = await slack.sender.command(
        text=DRAFT, user_id=PROPOSER, response_url=slack.fake.response_url(key)
    )
    assert status == 200
    await slack.fake.wait_calls("response_url", answered, within=WITHIN)
    return json.dumps(slack.fake.calls_to("response_url")[-1].params)


async def _proposal(slack: RunningSlack) -> Proposal:
    async with slack.services.db.session() as session:
        return (await session.execute(select(Proposal))).scalars().one()


async def _unsent(slack: RunningSlack) -> int:
    async with slack.services.db.session() as session:
        rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)))
        return len(list(rows))


async def _all_sent(slack: RunningSlack) -> None:
    for _ in range(int(WITHIN * 10)):
        if await _unsent(slack) == 0:
            return
        await slack.fake.settle(quiet=0.1, within=0.1)
    raise AssertionError(f"{await _unsent(slack)} owed messages never went out")


async def _approve(slack: RunningSlack, ts: str) -> None:
    event = reaction_event(user=EDITORS[0], emoji="white_check_mark", channel=REVIEW, ts=ts)
    status, _ = await slack.sender.event(event, event_id="EvAPPROVE")
    assert status == 200
    for _ in range(int(WITHIN * 10)):
        if (await _proposal(slack)).status == "approved":
            return
        await slack.fake.settle(quiet=0.1, within=0.1)
    raise AssertionError("the approval was never counted")


def _text(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"]) + message["text"]


async def test_a_card_refused_with_500s_goes_up_once_when_slack_recovers(
    database_url: str,
) -> None:
    async with sending(database_url) as slack:
        slack.fake.outage("chat.postMessage", times=2, status=500)
        reply = await _propose(slack)
        assert "could not post it to the review channel just now and keeps trying" in reply
        await slack.fake.wait_for(lambda _c: bool(_top_level(slack.fake, REVIEW)), within=WITHIN)
        await _all_sent(slack)
        [card] = _top_level(slack.fake, REVIEW)
        assert (await _proposal(slack)).card_message_id == card["ts"]
        assert len(slack.fake.calls_to("reactions.add")) == 3  # the hints, once each


async def test_a_card_rate_limited_waits_out_retry_after_and_holds_up_nothing_else(
    database_url: str,
) -> None:
    async with sending(database_url) as slack:
        # More 429s than the Slack client retries by itself: postgate's outbox waits.
        slack.fake.outage("chat.postMessage", times=5, status=429, retry_after=1)
        await _propose(slack, "first")
        status, _ = await slack.sender.command(
            text="Thank you to everyone who came canvassing on Saturday!",
            user_id="UMEMBER02",
            response_url=slack.fake.response_url("second"),
        )
        assert status == 200
        await slack.fake.wait_for(
            lambda _c: len(_top_level(slack.fake, REVIEW)) == 2, within=WITHIN
        )
        await _all_sent(slack)
        assert len(_top_level(slack.fake, REVIEW)) == 2


async def test_a_card_whose_answer_was_lost_is_found_not_posted_twice(
    database_url: str,
) -> None:
    async with sending(database_url) as slack:
        slack.fake.lose_answers("chat.postMessage")
        await _propose(slack)
        await _all_sent(slack)
        [card] = _top_level(slack.fake, REVIEW)
        proposal = await _proposal(slack)
        assert proposal.card_message_id == card["ts"]  # linked, so its votes count
        assert slack.fake.calls_to("conversations.history")
        await _approve(slack, card["ts"])
        await _all_sent(slack)
        assert len(_top_level(slack.fake, APPROVED)) == 1


async def test_a_decision_through_500s_and_429s_ends_true_and_sent_once(
    database_url: str,
) -> None:
    async with sending(database_url) as slack:
        await _propose(slack)
        await _all_sent(slack)
        ts = (await _proposal(slack)).card_message_id
        assert ts
        slack.fake.outage("chat.update", times=2, status=500)
        slack.fake.outage("chat.postMessage", times=2, status=500)
        slack.fake.outage("chat.postMessage", times=5, status=429, retry_after=1)
        await _approve(slack, ts)
        await _all_sent(slack)
        assert len(_top_level(slack.fake, APPROVED)) == 1
        assert len(slack.fake.messages(DM)) == 1  # the proposer is told once
        [card] = _top_level(slack.fake, REVIEW)
        assert "Sent to the approved channel" in _text(card)
        async with slack.services.db.session() as session:
            assert len(list(await session.scalars(select(Vote)))) == 1


async def test_an_update_lost_in_an_outage_still_lands(database_url: str) -> None:
    async with sending(database_url) as slack:
        await _propose(slack)
        await _all_sent(slack)
        ts = (await _proposal(slack)).card_message_id
        assert ts
        slack.fake.outage("chat.update", times=3, status=500)
        await _approve(slack, ts)
        await _all_sent(slack)
        [card] = _top_level(slack.fake, REVIEW)
        assert "APPROVED" in _text(card)
        assert "Sent to the approved channel" in _text(card)


async def test_hint_reactions_and_a_rejection_notice_through_500s_and_429s_go_out_once(
    database_url: str,
) -> None:
    async with sending(database_url) as slack:
        fake = slack.fake
        # More failures than the Slack client retries by itself: postgate's outbox waits.
        fake.outage("reactions.add", times=2, status=500)
        fake.outage("reactions.add", times=5, status=429, retry_after=1)
        await _propose(slack)
        await _all_sent(slack)
        [card] = _top_level(fake, REVIEW)
        # Seven refused, then each of the three hints once.
        assert len(fake.calls_to("reactions.add")) == 10
        assert {c.params["name"] for c in fake.calls_to("reactions.add")[-3:]} == {
            "white_check_mark",
            "x",
            "pencil2",
        }
        assert {c.params["timestamp"] for c in fake.calls_to("reactions.add")} == {card["ts"]}

        # The proposer's notice of a rejection: its DM channel and its post both fail.
        # An outage passes, so the DM is tried again (only a refused DM goes to the thread).
        fake.outage("conversations.open", times=2, status=500)
        fake.outage("chat.postMessage", times=5, status=429, retry_after=1)
        event = reaction_event(user=EDITORS[0], emoji="x", channel=REVIEW, ts=card["ts"])
        status, _ = await slack.sender.event(event, event_id="EvREJECT")
        assert status == 200

        def notices() -> list[dict[str, Any]]:
            thread = [m for m in fake.messages(REVIEW) if m["thread_ts"] == card["ts"]]
            return [
                m for m in [*fake.messages(DM), *thread] if "rejected your proposal 1" in m["text"]
            ]

        for _ in range(int(WITHIN * 10)):
            if notices():
                break
            await fake.settle(quiet=0.1, within=0.1)
        await _all_sent(slack)
        await fake.settle()
        assert len(notices()) == 1
        assert [m for m in fake.messages(DM) if "rejected your proposal 1" in m["text"]]
        [card] = _top_level(fake, REVIEW)
        assert "Rejected by" in _text(card)
