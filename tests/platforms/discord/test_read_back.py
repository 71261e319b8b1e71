"""Reactions made on Discord while postgate was not listening count once it is back: on
every READY and RESUMED it reads back the open cards' reactions (the message, then each
reaction's users) and applies them as if live. Reading back twice changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from sqlalchemy import select

from handlers.context import Services
from storage.models import AuditEvent, AuditKind, Proposal, ProposalStatus, Vote
from tests.fakes.discord_server import (
    APPROVED_CHANNEL,
    EDITOR_ROLE,
    GUILD_ID,
    REVIEW_CHANNEL,
    FakeDiscord,
)
from tests.platforms.discord.test_flow import (
    DRAFT,
    EDDIE,
    ERIN,
    PAT,
    SAM,
    TOKEN,
    everything,
    propose,
    running,
    settings_for,
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token=TOKEN) as server:
        server.add_member(PAT, "Pat", roles=[])
        server.add_member(ERIN, "Erin", roles=[EDITOR_ROLE])
        server.add_member(EDDIE, "Eddie", roles=[EDITOR_ROLE])
        server.add_member(SAM, "Sam", roles=[])
        yield server


async def eventually(check: Callable[[], Awaitable[object]], *, within: float = 10.0) -> None:
    for _ in range(int(within / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("never happened")


async def votes(services: Services) -> set[tuple[str, str]]:
    async with services.db.session() as session:
        rows = await session.execute(select(Vote.voter_id, Vote.kind))
    return {(voter, kind) for voter, kind in rows}


async def counted_on_reconnect(services: Services) -> list[tuple[str, str | None]]:
    async with services.db.session() as session:
        rows = await session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [
            (row.kind, row.actor_id)
            for row in rows
            if (row.detail or {}).get("counted") == "on reconnect"
        ]


async def test_reactions_added_and_removed_while_down_count_at_start(
    fake: FakeDiscord, database_url: str
) -> None:
    settings = settings_for(fake, database_url, POSTGATE_APPROVALS_REQUIRED=2)
    async with running(settings) as (_platform, services):
        card = await propose(fake, DRAFT)
        await fake.react(message_id=card.id, user_id=ERIN, emoji="✅")
        await eventually(lambda: _has(services, (str(ERIN), "approve")))

    # While postgate is down: Erin takes her approval back, Eddie approves; Sam (no
    # editor) and Pat (the proposer) approve too.
    await fake.unreact(message_id=card.id, user_id=ERIN, emoji="✅", live=False)
    for who in (EDDIE, SAM, PAT):
        await fake.react(message_id=card.id, user_id=who, emoji="✅", live=False)

    async with running(settings) as (_platform, services):
        await eventually(lambda: _has(services, (str(EDDIE), "approve")))
        await eventually(lambda: _lacks(services, (str(ERIN), "approve")))
        assert await votes(services) == {(str(EDDIE), "approve")}
        assert await counted_on_reconnect(services) == [
            (AuditKind.VOTE_WITHDRAWN, str(ERIN)),
            (AuditKind.VOTE_ADDED, str(EDDIE)),
        ]

        # A gateway disconnect and RESUME reads back again: nothing changes.
        read = len(fake.calls_to("GET", rf"/channels/\d+/messages/{card.id}"))
        await fake.drop_connection()
        await fake.wait_for(lambda: fake.resumes)
        await fake.wait_for(
            lambda: len(fake.calls_to("GET", rf"/channels/\d+/messages/{card.id}")) > read
        )
        await asyncio.sleep(0.3)
        assert await votes(services) == {(str(EDDIE), "approve")}
        assert len(await counted_on_reconnect(services)) == 2


async def test_an_approval_made_during_a_disconnect_counts_on_resume(
    fake: FakeDiscord, database_url: str
) -> None:
    async with running(settings_for(fake, database_url)) as (_platform, services):
        card = await propose(fake, DRAFT)
        await fake.react(message_id=card.id, user_id=ERIN, emoji="✅", live=False)
        await fake.drop_connection()
        await fake.wait_for(lambda: fake.channel_messages(APPROVED_CHANNEL))
        async with services.db.session() as session:
            assert await session.scalar(select(Proposal.status)) == ProposalStatus.APPROVED
        assert fake.resumes
        assert await counted_on_reconnect(services) == [(AuditKind.VOTE_ADDED, str(ERIN))]


async def test_a_reaction_on_a_superseded_card_does_not_count(
    fake: FakeDiscord, database_url: str
) -> None:
    settings = settings_for(fake, database_url)
    async with running(settings) as (_platform, services):
        old = await propose(fake, DRAFT)
        payload = await fake.slash_command(
            "propose",
            user_id=PAT,
            subcommand="edit",
            options={"number": 1, "text": DRAFT + " Bring a friend."},
        )
        await fake.wait_for(lambda: fake.followups.get(payload["token"]))
        await fake.wait_for(lambda: len(fake.channel_messages(REVIEW_CHANNEL)) == 2)
        new = fake.channel_messages(REVIEW_CHANNEL)[1]
        await fake.wait_for(lambda: old.edits)
        assert "superseded by revision 2" in old.edits[-1]["embeds"][0]["title"]
        # The proposer is told where the new card is, with a link to it.
        (told,) = await fake.wait_for(lambda: fake.dms_to(PAT))
        link = f"https://discord.com/channels/{GUILD_ID}/{REVIEW_CHANNEL}/{new.id}"
        assert "Version 2 of your proposal 1 has a new card" in everything(told)
        assert link in everything(told)

        # Live: an editor approves on the old card. One approval would decide.
        await fake.react(message_id=old.id, user_id=ERIN, emoji="\u2705")
        await asyncio.sleep(0.3)
        assert await votes(services) == set()
        assert await _status(services) == ProposalStatus.PENDING

    # While postgate is down, the other editor approves on the old card too.
    await fake.react(message_id=old.id, user_id=EDDIE, emoji="\u2705", live=False)
    async with running(settings) as (_platform, services):
        await fake.wait_for(
            lambda: len(fake.calls_to("GET", rf"/channels/\d+/messages/{new.id}")) == 1
        )
        await asyncio.sleep(0.3)
        assert await votes(services) == set()
        assert await _status(services) == ProposalStatus.PENDING
        assert await counted_on_reconnect(services) == []
        # Only the open card, the new one, is read back.
        assert fake.calls_to("GET", rf"/channels/\d+/messages/{old.id}(/.*)?") == []

        # On the new card the same approval counts, and decides.
        await fake.react(message_id=new.id, user_id=ERIN, emoji="\u2705")
        await fake.wait_for(lambda: fake.channel_messages(APPROVED_CHANNEL))
        assert await _status(services) == ProposalStatus.APPROVED


async def _status(services: Services) -> str | None:
    async with services.db.session() as session:
        return await session.scalar(select(Proposal.status))


async def _has(services: Services, vote: tuple[str, str]) -> bool:
    return vote in await votes(services)


async def _lacks(services: Services, vote: tuple[str, str]) -> bool:
    return vote not in await votes(services)


class HeldLookups(FakeDiscord):
    """The fake Discord, able to hold back its answers to member lookups (a removal
    carries no member, so postgate asks who took the reaction back)."""

    def __init__(self, *, token: str) -> None:
        super().__init__(token=token)
        self.asked = asyncio.Event()
        self.released = asyncio.Event()
        self.released.set()

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        if request.method == "GET" and "/members/" in request.path:
            self.asked.set()
            await self.released.wait()
        return await super()._rest(request)


async def test_a_reaction_taken_back_keeps_its_place_before_a_later_one(
    database_url: str,
) -> None:
    """Erin takes her approval back, then Eddie approves (two approvals decide): the
    removal counts first, however long Discord takes to say who made it."""
    async with HeldLookups(token=TOKEN) as fake:
        fake.add_member(PAT, "Pat", roles=[])
        fake.add_member(ERIN, "Erin", roles=[EDITOR_ROLE])
        fake.add_member(EDDIE, "Eddie", roles=[EDITOR_ROLE])
        settings = settings_for(fake, database_url, POSTGATE_APPROVALS_REQUIRED=2)
        async with running(settings) as (_platform, services):
            card = await propose(fake, DRAFT)
            await fake.react(message_id=card.id, user_id=ERIN, emoji="✅")
            await eventually(lambda: _has(services, (str(ERIN), "approve")))
            fake.released.clear()
            await fake.unreact(message_id=card.id, user_id=ERIN, emoji="✅")
            await asyncio.wait_for(fake.asked.wait(), 10)
            await fake.react(message_id=card.id, user_id=EDDIE, emoji="✅")
            await asyncio.sleep(0.5)  # room for Eddie's approval to jump the queue
            fake.released.set()
            await eventually(lambda: _has(services, (str(EDDIE), "approve")))
            assert await votes(services) == {(str(EDDIE), "approve")}
            async with services.db.session() as session:
                assert await session.scalar(select(Proposal.status)) == ProposalStatus.PENDING
            assert not fake.channel_messages(APPROVED_CHANNEL)
