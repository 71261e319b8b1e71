"""A delivery run twice creates once: `/propose TEXT` and `/idea TEXT` carry the
inbox key of their delivery, unique per workspace in the database, so a command
replayed after a stop (its handler committed, its inbox item never marked done)
finds what its first run created and answers the same, on both backends. A change
that creates no row of its own (`/propose edit`, `/idea snooze`) records its
delivery's key beside it, and a replay changes nothing again."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import inbox
from handlers.context import Context, Services
from handlers.dispatch import run_command
from handlers.events import Invocation, Reply
from handlers.messages import Message
from handlers.port import ChannelRole, MessageRef, SendKey
from storage import proposals as repo
from storage.models import (
    AuditEvent,
    AuditKind,
    Idea,
    IdeaAuditKind,
    InboxItem,
    Proposal,
    ProposalStatus,
    Revision,
)
from tests.clock import FixedClock
from tests.fakes.recording_chat import RecordingPort
from tests.inbox_support import MEMBER, WORKSPACE, clock, count, ctx, port, services
from tests.workflow_support import ABUSIVE, CLEAN

__all__ = ["clock", "ctx", "port", "services"]


def invocation(command: str, text: str, *, key: str | None) -> Invocation:
    return Invocation(
        workspace=WORKSPACE,
        actor=MEMBER,
        command=command,
        text=text,
        channel="C-general",
        delivery_key=key,
    )


async def proposed_events(services: Services) -> int:
    return await count(services, AuditEvent, AuditEvent.kind == str(AuditKind.PROPOSED))


def text_of(reply: Reply) -> str:
    return reply.message.as_plain_text()


async def test_a_proposal_delivered_twice_is_created_once_with_one_card(
    ctx: Context, services: Services, port: RecordingPort
) -> None:
    first = await run_command(invocation("propose", CLEAN, key="slack:cmd-1"), ctx)
    again = await run_command(invocation("propose", CLEAN, key="slack:cmd-1"), ctx)

    assert "Thanks! Proposal 1 is with the editors." in text_of(first)
    assert text_of(again) == text_of(first)
    assert await count(services, Proposal) == 1
    assert len(port.to(ChannelRole.REVIEW)) == 1
    assert await proposed_events(services) == 1
    assert await count(services, AuditEvent, AuditEvent.kind == str(AuditKind.CHECKED)) == 1
    assert (
        await count(services, AuditEvent, AuditEvent.kind == str(AuditKind.POSTED_FOR_REVIEW)) == 1
    )


async def test_other_deliveries_and_unkeyed_calls_each_create_their_own(
    ctx: Context, services: Services, port: RecordingPort
) -> None:
    await run_command(invocation("propose", CLEAN, key="slack:cmd-1"), ctx)
    await run_command(invocation("propose", CLEAN, key="slack:cmd-2"), ctx)
    # Typed locally (no delivery): no key, and NULL keys never collide.
    await run_command(invocation("propose", CLEAN, key=None), ctx)
    await run_command(invocation("propose", CLEAN, key=None), ctx)
    # The same key in another workspace is another delivery.
    other = Context(services=services, port=port, workspace="test:T2")
    await run_command(invocation("propose", CLEAN, key="slack:cmd-1"), other)

    assert await count(services, Proposal) == 5
    assert len(port.to(ChannelRole.REVIEW)) == 5
    assert await proposed_events(services) == 5


async def test_a_blocked_draft_delivered_twice_is_stored_once(
    ctx: Context, services: Services, port: RecordingPort
) -> None:
    first = await run_command(invocation("propose", ABUSIVE, key="k-blocked"), ctx)
    again = await run_command(invocation("propose", ABUSIVE, key="k-blocked"), ctx)

    assert "Proposal 1 was blocked by the checker" in text_of(first)
    assert text_of(again) == text_of(first)
    assert await count(services, Proposal) == 1
    assert port.to(ChannelRole.REVIEW) == []
    assert await proposed_events(services) == 1


class FailingOnce(RecordingPort):
    """A platform that refuses the first post, as if the process stopped before it."""

    def __init__(self) -> None:
        super().__init__()
        self.refused = False

    async def post(
        self, *, channel: ChannelRole | str, message: Message, key: SendKey | None = None
    ) -> MessageRef:
        if not self.refused:
            self.refused = True
            raise ConnectionError("the platform went away")
        return await super().post(channel=channel, message=message)


async def test_a_replay_puts_up_the_card_the_first_run_never_posted(services: Services) -> None:
    port = FailingOnce()
    ctx = Context(services=services, port=port, workspace=WORKSPACE)
    first = await run_command(invocation("propose", CLEAN, key="k-1"), ctx)
    assert "could not post it to the review channel" in text_of(first)
    assert "the editors see it in their queue (/propose queue)" in text_of(first)
    assert port.posts == []

    again = await run_command(invocation("propose", CLEAN, key="k-1"), ctx)
    third = await run_command(invocation("propose", CLEAN, key="k-1"), ctx)

    assert "It is on the review channel now" in text_of(again)
    assert text_of(third) == text_of(again)
    assert await count(services, Proposal) == 1
    assert len(port.to(ChannelRole.REVIEW)) == 1
    assert await proposed_events(services) == 1


async def test_two_replays_at_the_same_instant_create_one_proposal(
    ctx: Context, services: Services
) -> None:
    replies = await asyncio.wait_for(
        asyncio.gather(
            *(run_command(invocation("propose", CLEAN, key="k-same"), ctx) for _ in range(3))
        ),
        timeout=30,
    )
    assert all("Proposal 1 is with the editors" in text_of(r) for r in replies)
    assert await count(services, Proposal) == 1
    assert await proposed_events(services) == 1


async def test_an_idea_delivered_twice_is_added_once(ctx: Context, services: Services) -> None:
    text = "Leaflet the new estate --due 2026-03-20 #housing"
    first = await run_command(invocation("idea", text, key="discord:cmd-9"), ctx)
    again = await run_command(invocation("idea", text, key="discord:cmd-9"), ctx)
    other = await run_command(invocation("idea", text, key="discord:cmd-10"), ctx)

    assert "Idea 1 is on the list." in text_of(first)
    assert text_of(again) == text_of(first)
    assert "Idea 2 is on the list." in text_of(other)
    assert await count(services, Idea) == 2
    added = AuditEvent.kind == str(IdeaAuditKind.IDEA_ADDED)
    assert await count(services, AuditEvent, added) == 2


async def test_an_inbox_item_whose_done_mark_was_lost_creates_nothing_twice(
    ctx: Context, services: Services, port: RecordingPort, clock: FixedClock
) -> None:
    proposal = await inbox.accept(
        ctx, platform="slack", key="slack:cmd-1", event=invocation("propose", CLEAN, key=None)
    )
    idea = await inbox.accept(
        ctx, platform="slack", key="slack:cmd-2", event=invocation("idea", "Street stall", key=None)
    )
    assert proposal is not None and idea is not None
    answers: list[str] = []

    async def answer(_: Invocation, reply: Reply) -> None:
        answers.append(text_of(reply))

    assert await inbox.process(proposal, ctx, answer=answer)
    assert await inbox.process(idea, ctx, answer=answer)
    # The crash window: the handlers committed, the done marks never did.
    async with services.db.transaction() as session:
        await session.execute(update(InboxItem).values(done_at=None))

    clock.advance(timedelta(seconds=30))
    ran = await inbox.replay(ctx, received_before=clock.now(), settle=timedelta(0))

    assert ran == 2
    assert await count(services, Proposal) == 1
    assert len(port.to(ChannelRole.REVIEW)) == 1
    assert await proposed_events(services) == 1
    assert await count(services, Idea) == 1
    [(_, proposal_dm), (_, idea_dm)] = port.notes
    assert "Thanks! Proposal 1 is with the editors." in proposal_dm.as_plain_text()
    assert "Idea 1 is on the list." in idea_dm.as_plain_text()
    assert "restarted before it could answer your /propose" in proposal_dm.as_plain_text()
    assert "Thanks! Proposal 1 is with the editors." in answers[0]
    async with services.db.session() as session:
        done = list((await session.execute(select(InboxItem.done_at))).scalars())
    assert all(d is not None for d in done)


async def test_the_constraint_decides_when_a_replay_reads_before_the_first_commits(
    services: Services, clock: FixedClock
) -> None:
    def create(session: AsyncSession) -> Awaitable[repo.Created]:
        return repo.create_proposal_once(
            session,
            workspace=WORKSPACE,
            delivery_key="k-race",
            author_id=MEMBER.id,
            author_name=MEMBER.name,
            text=CLEAN,
            verdict="pass",
            findings=[],
            status=ProposalStatus.PENDING,
            origin_channel=None,
            now=clock.now(),
        )

    async def second() -> repo.Created:
        async with services.db.transaction() as session:
            return await create(session)

    async with services.db.transaction() as session:
        first = await create(session)
        # The second starts while the first is uncommitted: its read finds nothing,
        # and its insert waits for the first (or comes after it) and then does nothing.
        racing = asyncio.create_task(second())
        await asyncio.sleep(0.2)
    later = await asyncio.wait_for(racing, timeout=10)

    assert first.new and not later.new
    assert later.id == first.id
    assert await count(services, Proposal) == 1


EDITED = "Thank you to everyone who canvassed in St Ives and Godmanchester on Saturday!"


async def revised_events(services: Services) -> int:
    return await count(services, AuditEvent, AuditEvent.kind == str(AuditKind.REVISED))


async def test_an_edit_delivered_twice_adds_one_revision(
    ctx: Context, services: Services, port: RecordingPort, clock: FixedClock
) -> None:
    await run_command(invocation("propose", CLEAN, key="slack:cmd-1"), ctx)
    first = await run_command(invocation("propose", f"edit 1 {EDITED}", key="slack:cmd-2"), ctx)
    clock.advance(timedelta(minutes=5))  # the replay comes at the next start
    again = await run_command(invocation("propose", f"edit 1 {EDITED}", key="slack:cmd-2"), ctx)

    assert "Proposal 1 is now version 2." in text_of(first)
    assert text_of(again) == text_of(first)
    assert await count(services, Revision) == 2
    assert await revised_events(services) == 1
    checked = AuditEvent.kind == str(AuditKind.CHECKED)
    assert await count(services, AuditEvent, checked) == 2
    assert len(port.to(ChannelRole.REVIEW)) == 2  # a card per revision, none posted twice

    # Another delivery with the same text is another edit.
    await run_command(invocation("propose", f"edit 1 {EDITED}", key="slack:cmd-3"), ctx)
    assert await count(services, Revision) == 3
    assert await revised_events(services) == 2


async def test_edits_typed_locally_are_each_made(ctx: Context, services: Services) -> None:
    await run_command(invocation("propose", CLEAN, key=None), ctx)
    for _ in range(2):
        await run_command(invocation("propose", f"edit 1 {EDITED}", key=None), ctx)
    assert await count(services, Revision) == 3
    assert await revised_events(services) == 2


async def test_a_snooze_delivered_twice_snoozes_once_from_its_own_day(
    ctx: Context, services: Services, clock: FixedClock
) -> None:
    await run_command(invocation("idea", "Street stall at the market", key="discord:cmd-1"), ctx)
    first = await run_command(invocation("idea", "snooze 1 2w", key="discord:cmd-2"), ctx)
    async with services.db.session() as session:
        until = await session.scalar(select(Idea.snoozed_until))
    clock.advance(timedelta(days=3))  # the replay comes at a start days later
    again = await run_command(invocation("idea", "snooze 1 2w", key="discord:cmd-2"), ctx)

    assert "Idea 1 is snoozed until" in text_of(first)
    assert text_of(again).split(";")[0] == text_of(first).split(";")[0]
    async with services.db.session() as session:
        assert await session.scalar(select(Idea.snoozed_until)) == until
    snoozed = AuditEvent.kind == str(IdeaAuditKind.IDEA_SNOOZED)
    assert await count(services, AuditEvent, snoozed) == 1

    # A new delivery snoozes anew, from its own day.
    await run_command(invocation("idea", "snooze 1 2w", key="discord:cmd-3"), ctx)
    async with services.db.session() as session:
        later = await session.scalar(select(Idea.snoozed_until))
    assert until is not None and later is not None
    assert later - until == timedelta(days=3)
    assert await count(services, AuditEvent, snoozed) == 2
