"""`handlers.delivery` on both backends: a delivery is received once, its work runs
once and is marked done with its effect, what a stop left undone runs at the next
start and is answered privately, and a failure is answered truthfully."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot import jobs
from handlers.context import Context, Services
from handlers.delivery import Deliveries, ReadBack, prune
from handlers.events import Actor, Invocation, ReactionEvent, Reply, Role
from handlers.port import MessageRef
from handlers.proposals.reconcile import reconcile
from storage.models import Delivery, Proposal, Vote
from tests.clock import FixedClock
from tests.fakes.recording_chat import RecordingPort
from tests.workflow_support import CLEAN, START, make_services

WORKSPACE = "test:T1"
MEMBER = Actor("U-sam", "Sam", frozenset({Role.PROPOSER}))
EDITOR = Actor("U-edith", "Edith", frozenset({Role.EDITOR}))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
async def services(database_url: str, clock: FixedClock) -> AsyncIterator[Services]:
    built = make_services(database_url, clock=clock)
    yield built
    await built.db.dispose()


@pytest.fixture
def port() -> RecordingPort:
    return RecordingPort()


@pytest.fixture
def deliveries(services: Services, port: RecordingPort) -> Deliveries:
    return Deliveries(Context(services=services, port=port, workspace=WORKSPACE))


def propose(text: str = CLEAN) -> Invocation:
    return Invocation(
        workspace=WORKSPACE, actor=MEMBER, command="propose", text=text, channel="C-general"
    )


async def count(services: Services, model: type[object], *where: object) -> int:
    async with services.db.session() as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)  # type: ignore[arg-type]
        return int((await session.execute(query)).scalar_one())


async def undone(services: Services) -> int:
    return await count(services, Delivery, Delivery.done_at.is_(None))


class Answers:
    def __init__(self) -> None:
        self.texts: list[str] = []

    async def __call__(self, reply: Reply) -> None:
        self.texts.append(reply.message.as_plain_text())


async def test_a_delivery_is_received_once_per_workspace(
    deliveries: Deliveries, services: Services, port: RecordingPort
) -> None:
    assert await deliveries.receive(key="k1", event=propose())
    assert not await deliveries.receive(key="k1", event=propose("another text"))
    elsewhere = Deliveries(Context(services=services, port=port, workspace="test:T2"))
    assert await elsewhere.receive(key="k1", event=propose())
    async with services.db.session() as session:
        [stored] = (await session.execute(select(Delivery.event).limit(1))).scalars()
    assert stored["text"] == CLEAN and "response_url" not in stored


async def test_a_command_runs_once_and_is_done_with_its_effect(
    deliveries: Deliveries, services: Services, port: RecordingPort, clock: FixedClock
) -> None:
    answers = Answers()
    assert await deliveries.receive(key="k1", event=propose())
    await deliveries.run(key="k1", event=propose(), answer=answers)
    assert "Proposal 1 is with the editors" in answers.texts[0]
    assert await count(services, Proposal) == 1
    assert await undone(services) == 0
    # A redelivery is not received again, and a restart finds nothing to run.
    assert not await deliveries.receive(key="k1", event=propose())
    clock.advance(timedelta(minutes=1))
    assert await deliveries.replay(before=clock.now()) == 0
    assert await count(services, Proposal) == 1
    assert len(port.posts) == 1 and port.notes == []


async def test_work_that_commits_nothing_is_marked_done_after_it(
    deliveries: Deliveries, services: Services
) -> None:
    answers = Answers()
    help_me = Invocation(workspace=WORKSPACE, actor=MEMBER, command="help", text="")
    assert await deliveries.receive(key="k-help", event=help_me)
    await deliveries.run(key="k-help", event=help_me, answer=answers)
    assert answers.texts and await undone(services) == 0


async def test_what_a_stop_left_undone_runs_at_the_next_start_and_is_answered_privately(
    deliveries: Deliveries, services: Services, port: RecordingPort, clock: FixedClock
) -> None:
    assert await deliveries.receive(key="k-left", event=propose())  # acked, never run
    clock.advance(timedelta(seconds=30))
    assert await deliveries.receive(key="k-new", event=propose("Received after the start"))
    assert await deliveries.replay(before=START + timedelta(seconds=1)) == 1
    [(user, dm)] = port.notes
    assert user == MEMBER.id
    assert "Proposal 1 is with the editors" in dm.as_plain_text()
    assert "restarted before it could answer your /propose" in dm.as_plain_text()
    assert await count(services, Proposal) == 1
    # Another start: only what is still undone (the later delivery) runs.
    assert await deliveries.replay(before=clock.now() + timedelta(seconds=1)) == 1
    assert await deliveries.replay(before=clock.now() + timedelta(seconds=1)) == 0
    assert await count(services, Proposal) == 2
    assert await undone(services) == 0


async def test_a_replayed_reaction_is_one_vote(
    deliveries: Deliveries, services: Services, clock: FixedClock
) -> None:
    await deliveries.run(key="k1", event=propose())
    vote = ReactionEvent(
        workspace=WORKSPACE, actor=EDITOR, emoji="white_check_mark", added=True, proposal_id=1
    )
    assert await deliveries.receive(key="Ev1", event=vote)
    assert not await deliveries.receive(key="Ev1", event=vote)  # Slack's retry
    clock.advance(timedelta(seconds=5))
    assert await deliveries.replay(before=clock.now()) == 1
    assert await deliveries.replay(before=clock.now()) == 0
    assert await count(services, Vote) == 1


async def test_what_an_earlier_process_acknowledged_runs_before_anything_newer(
    deliveries: Deliveries, services: Services, port: RecordingPort, clock: FixedClock
) -> None:
    """A withdrawal acknowledged just before a kill, then an approval made while
    postgate restarts: the withdrawal runs first, as its member was told it would."""
    await deliveries.run(key="k1", event=propose())
    withdraw = Invocation(
        workspace=WORKSPACE, actor=MEMBER, command="propose", text="withdraw 1", channel="C"
    )
    assert await deliveries.receive(key="k-withdraw", event=withdraw)  # acked, then killed
    clock.advance(timedelta(seconds=5))
    started = clock.now()
    restarted = Deliveries(deliveries.ctx, replay_first=True)
    vote = ReactionEvent(
        workspace=WORKSPACE, actor=EDITOR, emoji="white_check_mark", added=True, proposal_id=1
    )
    assert await restarted.receive(key="Ev-after", event=vote)
    live = asyncio.create_task(restarted.run(key="Ev-after", event=vote))
    done, _ = await asyncio.wait({live}, timeout=0.5)
    assert not done, "a delivery received after the start ran before the replay"
    assert await restarted.replay(before=started) == 1
    await live
    async with services.db.session() as session:
        status = await session.scalar(select(Proposal.status))
    assert status == "withdrawn"
    assert await count(services, Vote) == 0
    assert await undone(services) == 0


def _eddie_approves(ctx: Context) -> ReadBack:
    """A read-back of the cards that finds Eddie's approval standing, and nothing else."""

    async def eddies_stands(_ref: MessageRef) -> list[tuple[str, str]]:
        return [("white_check_mark", "U-eddie")]

    async def who(user_id: str) -> Actor:
        return replace(EDITOR, id=user_id)

    async def read_back(turn: AbstractAsyncContextManager[object]) -> None:
        await reconcile(ctx, read=eddies_stands, who=who, turn=turn)

    return read_back


async def test_the_cards_are_read_back_before_anything_received_since(
    database_url: str, port: RecordingPort, clock: FixedClock
) -> None:
    """Two approvals decide. Edith approved, then took it back while postgate was down;
    Eddie approves just after the start: the read-back withdraws Edith's vote first,
    so Eddie's alone does not decide."""
    services = make_services(database_url, clock=clock, POSTGATE_APPROVALS_REQUIRED=2)
    try:
        ctx = Context(services=services, port=port, workspace=WORKSPACE)
        first = Deliveries(ctx)
        await first.run(key="k1", event=propose())
        approve = ReactionEvent(
            workspace=WORKSPACE, actor=EDITOR, emoji="white_check_mark", added=True, proposal_id=1
        )
        await first.run(key="Ev-edith", event=approve)
        clock.advance(timedelta(seconds=5))
        started = clock.now()
        restarted = Deliveries(ctx, replay_first=True)
        eddie = replace(approve, actor=Actor("U-eddie", "Eddie", frozenset({Role.EDITOR})))
        assert await restarted.receive(key="Ev-eddie", event=eddie)
        live = asyncio.create_task(restarted.run(key="Ev-eddie", event=eddie))

        assert await restarted.replay(before=started, read_back=_eddie_approves(ctx)) == 0
        await live
        async with services.db.session() as session:
            status = await session.scalar(select(Proposal.status))
        assert status == "pending"
        assert await count(services, Vote) == 1
    finally:
        await services.db.dispose()


async def test_reactions_received_before_the_read_back_do_not_count_again_after_it(
    database_url: str, port: RecordingPort, clock: FixedClock
) -> None:
    """Two approvals decide. While postgate restarts, Edith approves and takes it back,
    then Eddie approves; their events wait for the replay. The read-back sees Eddie's
    approval alone, and Edith's waiting approval does not count for a moment after it."""
    services = make_services(database_url, clock=clock, POSTGATE_APPROVALS_REQUIRED=2)
    try:
        ctx = Context(services=services, port=port, workspace=WORKSPACE)
        await Deliveries(ctx).run(key="k1", event=propose())
        clock.advance(timedelta(seconds=5))
        started = clock.now()
        restarted = Deliveries(ctx, replay_first=True)
        edith = ReactionEvent(
            workspace=WORKSPACE, actor=EDITOR, emoji="white_check_mark", added=True, proposal_id=1
        )
        eddie = replace(edith, actor=Actor("U-eddie", "Eddie", frozenset({Role.EDITOR})))
        waiting = []
        for key, event in (
            ("Ev1", edith),
            ("Ev2", replace(edith, added=False)),
            ("Ev3", eddie),
        ):
            assert await restarted.receive(key=key, event=event)
            waiting.append(asyncio.create_task(restarted.run(key=key, event=event)))

        await restarted.replay(before=started, read_back=_eddie_approves(ctx))
        await asyncio.gather(*waiting)
        async with services.db.session() as session:
            status = await session.scalar(select(Proposal.status))
        assert status == "pending"
        assert await count(services, Vote) == 1
        assert await undone(services) == 0
    finally:
        await services.db.dispose()


async def test_a_failure_before_anything_was_committed_says_nothing_was_changed(
    services: Services, port: RecordingPort, clock: FixedClock
) -> None:
    async def roles_unreachable(actor: Actor) -> Actor:
        raise ConnectionError("the platform did not answer")

    failing = Deliveries(
        Context(services=services, port=port, workspace=WORKSPACE), refresh=roles_unreachable
    )
    answers = Answers()
    assert await failing.receive(key="k1", event=propose())
    await failing.run(key="k1", event=propose(), answer=answers)
    [text] = answers.texts
    assert "something went wrong with /propose and nothing was changed" in text
    assert await count(services, Proposal) == 0
    # It was true, and stays true: the delivery is done, so no start runs it later.
    assert await undone(services) == 0
    clock.advance(timedelta(seconds=5))
    assert await failing.replay(before=clock.now()) == 0


async def test_an_unreadable_delivery_is_given_up(
    deliveries: Deliveries, services: Services, clock: FixedClock
) -> None:
    assert await deliveries.receive(key="k1", event=propose())
    async with services.db.transaction() as session:
        await session.execute(update(Delivery).values(event={"written by": "another version"}))
    clock.advance(timedelta(seconds=5))
    assert await deliveries.replay(before=clock.now()) == 1
    assert await undone(services) == 0
    assert await count(services, Proposal) == 0


async def test_the_daily_job_forgets_old_deliveries_of_its_own_workspace(
    deliveries: Deliveries, services: Services, port: RecordingPort, clock: FixedClock
) -> None:
    assert await deliveries.receive(key="old", event=propose())
    elsewhere = Context(services=services, port=port, workspace="test:T2")
    assert await Deliveries(elsewhere).receive(key="elsewhere", event=propose())
    clock.advance(timedelta(days=31))
    assert await deliveries.receive(key="recent", event=propose())
    jobs.bind([deliveries.ctx])
    try:
        await jobs.prune_deliveries(WORKSPACE)
    finally:
        jobs.unbind()
    async with services.db.session() as session:
        left = sorted((await session.execute(select(Delivery.key))).scalars())
    assert left == ["elsewhere", "recent"]
    assert "pruned 0" in await prune(deliveries.ctx)
