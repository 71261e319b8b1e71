"""Reactions made on Slack while postgate was not listening count once it is back: at
start it reads back the open cards' reactions (`reactions.get`) and applies them as if
live, and again on every Socket Mode reconnect. Reading back twice changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy import select

from storage.models import AuditEvent, AuditKind, Proposal, ProposalStatus, Vote
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_harness import (
    APP_TOKEN,
    EDITORS,
    REVIEW,
    STEERING_GROUP,
    STEERING_MEMBERS,
    RunningSlack,
    reaction_event,
    running_slack,
)

PROPOSER = "UMEMBER01"
OUTSIDER = "UMEMBER02"
DRAFT = "Come and help at our street stall on Saturday morning in the town square."


async def eventually(check: Callable[[], Awaitable[object]], *, within: float = 10.0) -> None:
    for _ in range(int(within / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("never happened")


async def propose(slack: RunningSlack) -> Proposal:
    status, _ = await slack.sender.command(text=DRAFT, user_id=PROPOSER, user_name="sam")
    assert status == 200

    async def carded() -> Proposal | None:
        async with slack.services.db.session() as session:
            proposal = await session.scalar(select(Proposal))
        return proposal if proposal is not None and proposal.card_message_id else None

    await eventually(carded)
    proposal = await carded()
    assert proposal is not None
    return proposal


async def votes(slack: RunningSlack) -> set[tuple[str, str]]:
    async with slack.services.db.session() as session:
        rows = await session.execute(select(Vote.voter_id, Vote.kind))
    return {(voter, kind) for voter, kind in rows}


async def counted_on_reconnect(slack: RunningSlack) -> list[tuple[str, str | None]]:
    async with slack.services.db.session() as session:
        rows = await session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [
            (row.kind, row.actor_id)
            for row in rows
            if (row.detail or {}).get("counted") == "on reconnect"
        ]


async def react(
    slack: RunningSlack, ts: str, user: str, emoji: str, *, added: bool = True, n: int
) -> None:
    """A member reacts on the card, and Slack tells postgate (live)."""
    slack.fake.set_reaction(channel=REVIEW, ts=ts, user=user, emoji=emoji, added=added)
    status, _ = await slack.sender.event(
        reaction_event(user=user, emoji=emoji, channel=REVIEW, ts=ts, added=added),
        event_id=f"EvLIVE{n}",
    )
    assert status == 200


async def test_reactions_added_and_removed_while_down_count_at_start(database_url: str) -> None:
    async with FakeSlack(usergroups={STEERING_GROUP: STEERING_MEMBERS}) as fake:
        two = {"POSTGATE_APPROVALS_REQUIRED": 2}
        async with running_slack(database_url, fake=fake, **two) as slack:
            proposal = await propose(slack)
            ts = str(proposal.card_message_id)
            await react(slack, ts, EDITORS[0], "white_check_mark", n=1)
            await eventually(lambda: _has(slack, (EDITORS[0], "approve")))  # counted live
            assert await counted_on_reconnect(slack) == []

        # While postgate is down: the first editor takes the approval back, the second
        # approves; a member who is no editor, and the proposer, approve too.
        fake.set_reaction(
            channel=REVIEW, ts=ts, user=EDITORS[0], emoji="white_check_mark", added=False
        )
        fake.set_reaction(channel=REVIEW, ts=ts, user=EDITORS[1], emoji="heavy_check_mark")
        fake.set_reaction(channel=REVIEW, ts=ts, user=OUTSIDER, emoji="white_check_mark")
        fake.set_reaction(channel=REVIEW, ts=ts, user=PROPOSER, emoji="white_check_mark")

        async with running_slack(database_url, fake=fake, **two) as slack:
            await eventually(lambda: _has(slack, (EDITORS[1], "approve")))
            await eventually(lambda: _lacks(slack, (EDITORS[0], "approve")))
            assert await votes(slack) == {(EDITORS[1], "approve")}
            assert await counted_on_reconnect(slack) == [
                (AuditKind.VOTE_WITHDRAWN, EDITORS[0]),
                (AuditKind.VOTE_ADDED, EDITORS[1]),
            ]
            async with slack.services.db.session() as session:
                status = await session.scalar(select(Proposal.status))
            assert status == ProposalStatus.PENDING  # one approval of the two needed

        # Started again with nothing changed: reading back changes nothing.
        async with running_slack(database_url, fake=fake, **two) as slack:
            await fake.wait_calls("reactions.get", 2)
            await fake.settle()
            assert await votes(slack) == {(EDITORS[1], "approve")}
            assert len(await counted_on_reconnect(slack)) == 2


async def test_an_approval_made_while_down_decides_at_start(database_url: str) -> None:
    async with FakeSlack(usergroups={STEERING_GROUP: STEERING_MEMBERS}) as fake:
        async with running_slack(database_url, fake=fake) as slack:
            proposal = await propose(slack)
        fake.set_reaction(
            channel=REVIEW,
            ts=str(proposal.card_message_id),
            user=EDITORS[0],
            emoji="white_check_mark",
        )
        async with running_slack(database_url, fake=fake) as slack:
            await eventually(lambda: _status_is(slack, ProposalStatus.APPROVED))
            await fake.wait_for(
                lambda calls: any(
                    c.method == "chat.postMessage" and c.params["channel"] != REVIEW for c in calls
                )
            )


async def test_a_socket_mode_reconnect_reads_back_again(database_url: str) -> None:
    async with running_slack(database_url, SLACK_APP_TOKEN=APP_TOKEN) as slack:
        fake = slack.fake
        status = await _socket_propose(slack)
        assert status
        proposal = await _carded(slack)
        ts = str(proposal.card_message_id)
        # A reaction made while the connection was down: Slack never delivers it.
        fake.set_reaction(channel=REVIEW, ts=ts, user=EDITORS[0], emoji="x")
        await fake.disconnect()
        await eventually(lambda: _status_is(slack, ProposalStatus.REJECTED))
        assert await counted_on_reconnect(slack) == [(AuditKind.VOTE_ADDED, EDITORS[0])]


async def test_a_removal_while_reading_back_is_not_lost(database_url: str) -> None:
    async with FakeSlack(usergroups={STEERING_GROUP: STEERING_MEMBERS}) as fake:
        two = {"POSTGATE_APPROVALS_REQUIRED": 2}
        async with running_slack(database_url, fake=fake, **two) as slack:
            proposal = await propose(slack)
        ts = str(proposal.card_message_id)
        fake.set_reaction(channel=REVIEW, ts=ts, user=EDITORS[0], emoji="white_check_mark")
        fake.slow("reactions.get", 1.0)  # its answer: the approval, which is then taken back
        async with running_slack(database_url, fake=fake, **two) as slack:
            await fake.wait_calls("reactions.get", 1)
            await react(slack, ts, EDITORS[0], "white_check_mark", added=False, n=2)
            await eventually(lambda: _audited(slack, AuditKind.VOTE_WITHDRAWN))
            assert await votes(slack) == set()


async def test_a_reaction_on_a_superseded_card_does_not_count(database_url: str) -> None:
    async with FakeSlack(usergroups={STEERING_GROUP: STEERING_MEMBERS}) as fake:
        async with running_slack(database_url, fake=fake) as slack:
            proposal = await propose(slack)
            old = str(proposal.card_message_id)
            status, _ = await slack.sender.command(
                text=f"edit {proposal.id} {DRAFT} Bring a friend.", user_id=PROPOSER
            )
            assert status == 200
            await eventually(lambda: _card_is_not(slack, old))
            new = await _card(slack)
            assert "superseded by revision 2" in _text_of(fake, old)
            # The proposer is told where the new card is, with a link to it.
            link = f"https://postgate-test.slack.com/archives/{REVIEW}/p{new.replace('.', '')}"
            await fake.wait_for(lambda _calls: bool(fake.messages("DMEMBER01")))
            (told,) = fake.messages("DMEMBER01")
            assert "Version 2 of your proposal 1 has a new card" in told["text"]
            assert link in told["text"]

            # Live: an editor approves on the old card. One approval would decide.
            await react(slack, old, EDITORS[0], "white_check_mark", n=1)
            await fake.settle()
            assert await votes(slack) == set()
            assert await _status_is(slack, ProposalStatus.PENDING)

        # While postgate is down, the other editor approves on the old card too.
        fake.set_reaction(channel=REVIEW, ts=old, user=EDITORS[1], emoji="white_check_mark")
        read_before = len(fake.calls_to("reactions.get"))
        async with running_slack(database_url, fake=fake) as slack:
            await fake.wait_calls("reactions.get", read_before + 1)
            await fake.settle()
            assert await votes(slack) == set()
            assert await _status_is(slack, ProposalStatus.PENDING)
            assert await counted_on_reconnect(slack) == []
            # Only the open card, the new one, is read back.
            read = fake.calls_to("reactions.get")[read_before:]
            assert {c.params["timestamp"] for c in read} == {new}

            # On the new card the same approval counts, and decides.
            await react(slack, new, EDITORS[0], "white_check_mark", n=2)
            await eventually(lambda: _status_is(slack, ProposalStatus.APPROVED))


async def _card(slack: RunningSlack) -> str:
    async with slack.services.db.session() as session:
        return str(await session.scalar(select(Proposal.card_message_id)))


async def _card_is_not(slack: RunningSlack, ts: str) -> bool:
    card = await _card(slack)
    return card not in ("None", ts)


def _text_of(fake: FakeSlack, ts: str) -> str:
    (message,) = [m for m in fake.messages(REVIEW) if m["ts"] == ts]
    return str(message["text"])


async def _socket_propose(slack: RunningSlack) -> bool:
    envelope = await slack.fake.send_envelope(
        type="slash_commands",
        payload={
            "command": "/propose",
            "text": DRAFT,
            "user_id": PROPOSER,
            "user_name": "sam",
            "channel_id": "CGENERAL01",
            "team_id": "T0POSTGATE",
            "api_app_id": "A0POSTGATE",
            "response_url": slack.fake.response_url("propose"),
            "trigger_id": "1.trigger",
        },
    )
    return bool(await slack.fake.wait_ack(envelope))


async def _carded(slack: RunningSlack) -> Proposal:
    async def carded() -> bool:
        async with slack.services.db.session() as session:
            return bool(await session.scalar(select(Proposal.card_message_id)))

    await eventually(carded)
    async with slack.services.db.session() as session:
        proposal = await session.scalar(select(Proposal))
    assert proposal is not None
    return proposal


async def _has(slack: RunningSlack, vote: tuple[str, str]) -> bool:
    return vote in await votes(slack)


async def _lacks(slack: RunningSlack, vote: tuple[str, str]) -> bool:
    return vote not in await votes(slack)


async def _status_is(slack: RunningSlack, status: ProposalStatus) -> bool:
    async with slack.services.db.session() as session:
        return await session.scalar(select(Proposal.status)) == status


async def _audited(slack: RunningSlack, kind: AuditKind) -> bool:
    async with slack.services.db.session() as session:
        rows = await session.scalars(select(AuditEvent.kind))
        return kind in list(rows)
