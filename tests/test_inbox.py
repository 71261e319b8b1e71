"""The durable inbox on both backends: a key is accepted once, an item runs once, the
events survive the trip through JSON, and old finished deliveries are pruned."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot import jobs
from handlers import inbox
from handlers.context import Context, Services
from handlers.events import Actor, Invocation, ReactionEvent, Role
from handlers.inbox_codec import UnreadableEvent, dump_event, kind_of, load_event
from handlers.port import MessageRef
from storage.models import InboxItem, ProcessedEvent, Proposal
from tests.clock import FixedClock
from tests.fakes.recording_chat import RecordingPort
from tests.inbox_support import (
    MEMBER,
    WORKSPACE,
    clock,
    count,
    ctx,
    port,
    services,
    stored_items,
)
from tests.workflow_support import START

__all__ = ["clock", "ctx", "port", "services"]

EDITOR = Actor("U-edith", "Edith", frozenset({Role.EDITOR}))
DRAFT = "Thank you to everyone who canvassed in St Ives on Saturday!"


def propose(text: str = DRAFT) -> Invocation:
    return Invocation(
        workspace=WORKSPACE, actor=MEMBER, command="propose", text=text, channel="C-general"
    )


def _plain(value: object) -> bool:
    if isinstance(value, dict):
        return type(value) is dict and all(type(k) is str and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return type(value) is list and all(_plain(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


def test_events_survive_the_trip_through_json() -> None:
    invocation = propose("Line one\nline two <!channel> ✅")
    reaction = ReactionEvent(
        workspace=WORKSPACE,
        actor=EDITOR,
        emoji="white_check_mark",
        added=False,
        message=MessageRef("C-review", "1700000000.000100"),
        event_id="Ev01",
    )
    for event in (invocation, reaction):
        stored = dump_event(event)
        assert load_event(kind_of(event), stored) == event
        # Plain data only, enums included: the SQLite journal refuses anything else.
        assert _plain(stored), stored
    with pytest.raises(UnreadableEvent):
        load_event("command", {"format": 99})
    with pytest.raises(UnreadableEvent):
        load_event("command", {"format": 1, "workspace": WORKSPACE})


async def test_a_key_is_accepted_once(ctx: Context, services: Services) -> None:
    first = await inbox.accept(ctx, platform="test", key="k1", event=propose())
    again = await inbox.accept(ctx, platform="test", key="k1", event=propose("other"))
    assert first is not None and again is None
    [row] = await stored_items(services)
    assert (row.kind, row.platform, row.attempts, row.done_at) == ("command", "test", 0, None)
    assert row.event["text"] == DRAFT
    # The same key in another workspace is another delivery.
    other = Context(services=services, port=ctx.port, workspace="test:T2")
    assert await inbox.accept(other, platform="test", key="k1", event=propose()) is not None


async def test_deliveries_arriving_together_are_stored_together_and_once(
    ctx: Context, services: Services
) -> None:
    keys = ["a", "b", "a", "c", "b"]  # a retry can arrive while the first is being stored
    results = await asyncio.gather(
        *(inbox.accept(ctx, platform="test", key=k, event=propose(k)) for k in keys)
    )
    new = [(k, r.key) for k, r in zip(keys, results, strict=True) if r is not None]
    assert new == [("a", "a"), ("b", "b"), ("c", "c")]
    assert sorted(r.key for r in await stored_items(services)) == ["a", "b", "c"]


async def test_an_item_runs_once_and_is_answered(
    ctx: Context, services: Services, port: RecordingPort
) -> None:
    item = await inbox.accept(ctx, platform="test", key="k1", event=propose())
    assert item is not None
    answers: list[str] = []

    async def answer(invocation: Invocation, reply: object) -> None:
        answers.append(invocation.command)

    assert await inbox.process(item, ctx, answer=answer) is True
    # The same item read before it ran (a second processor) cannot take it again.
    assert await inbox.process(item, ctx, answer=answer) is False
    assert answers == ["propose"]
    assert await count(services, Proposal) == 1
    [row] = await stored_items(services)
    assert row.done_at == START and row.attempts == 1
    assert port.notes == []  # answered through `answer`, not by DM


async def test_replay_runs_what_an_earlier_process_left_and_answers_by_dm(
    ctx: Context, services: Services, port: RecordingPort, clock: FixedClock
) -> None:
    left = await inbox.accept(ctx, platform="test", key="k-left", event=propose())
    done = await inbox.accept(ctx, platform="test", key="k-done", event=propose("Done"))
    assert left is not None and done is not None
    await inbox.mark_done(ctx, done)
    clock.advance(timedelta(seconds=30))
    later = await inbox.accept(ctx, platform="test", key="k-new", event=propose("New"))
    assert later is not None
    ran = await inbox.replay(ctx, received_before=later.received_at, settle=timedelta(0))
    assert ran == 1
    [(user, message)] = port.notes
    assert user == MEMBER.id
    assert "restarted before it could answer your /propose" in message.as_plain_text()
    assert await count(services, Proposal) == 1
    # Another restart: only what is still pending runs (the newer item), nothing twice.
    again = clock.now() + timedelta(seconds=1)
    assert await inbox.replay(ctx, received_before=again, settle=timedelta(0)) == 1
    assert await count(services, Proposal) == 2
    assert len(port.notes) == 2


async def test_a_failing_item_is_kept_with_a_short_reason_and_given_up_after_three_tries(
    ctx: Context, services: Services
) -> None:
    item = await inbox.accept(ctx, platform="test", key="k1", event=propose())
    assert item is not None
    assert len(await stored_items(services)) == 1
    # Unreadable as stored (as if written by another version).
    async with services.db.transaction() as session:
        await session.execute(update(InboxItem).values(event={"format": 1, "workspace": WORKSPACE}))
    for _ in range(3):
        [pending] = await inbox.replayable(
            ctx, received_before=START + timedelta(seconds=1), settle=timedelta(0)
        )
        assert await inbox.process(pending, ctx) is False
    [row] = await stored_items(services)
    assert row.done_at is None and row.attempts == 3
    assert row.last_error is not None and row.last_error.startswith("UnreadableEvent")
    assert len(row.last_error) <= 200
    assert (
        await inbox.replayable(
            ctx, received_before=START + timedelta(seconds=1), settle=timedelta(0)
        )
        == []
    )


async def test_the_daily_job_prunes_old_finished_deliveries_only(
    ctx: Context, services: Services, clock: FixedClock
) -> None:
    old_done = await inbox.accept(ctx, platform="test", key="old-done", event=propose())
    old_pending = await inbox.accept(ctx, platform="test", key="old-pending", event=propose())
    assert old_done is not None and old_pending is not None
    await inbox.mark_done(ctx, old_done)
    elsewhere = replace(ctx, workspace="test:T2")
    assert await inbox.accept(elsewhere, platform="test", key="elsewhere", event=propose())
    async with services.db.transaction() as session:
        session.add(ProcessedEvent(workspace=WORKSPACE, key="reaction:old", at=clock.now()))
    clock.advance(timedelta(days=31))
    recent = await inbox.accept(ctx, platform="test", key="recent-done", event=propose())
    assert recent is not None
    await inbox.mark_done(ctx, recent)
    async with services.db.transaction() as session:
        session.add(ProcessedEvent(workspace=WORKSPACE, key="reaction:new", at=clock.now()))

    jobs.bind([ctx])
    try:
        await jobs.prune_deliveries(WORKSPACE)
    finally:
        jobs.unbind()

    keys = sorted((r.workspace, r.key) for r in await stored_items(services))
    assert keys == [
        (WORKSPACE, "old-pending"),  # never finished: kept for a replay, however old
        (WORKSPACE, "recent-done"),
        ("test:T2", "elsewhere"),  # another workspace's job prunes it
    ]
    async with services.db.session() as session:
        left = list((await session.execute(select(ProcessedEvent.key))).scalars())
    assert left == ["reaction:new"]
