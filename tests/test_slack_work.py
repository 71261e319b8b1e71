"""Work after the ack: failures logged, never lost; shutdown waits, then says what it dropped."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.platforms.slack.port import SlackChatPort
from bot.platforms.slack.work import AfterAck
from handlers.messages import MentionKind
from handlers.port import ChannelRole, Group, PlatformError


async def test_a_failure_after_the_ack_is_logged_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    work = AfterAck()

    async def broken() -> None:
        raise ValueError("the card could not be stored")

    work.spawn(broken(), what="command /propose")
    await work.drain(grace=1)
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "command /propose failed" in record.getMessage()
    assert record.exc_info is not None and "could not be stored" in str(record.exc_info[1])


async def test_shutdown_waits_for_work_in_progress() -> None:
    work = AfterAck()
    finished: list[int] = []

    async def slow(n: int) -> None:
        await asyncio.sleep(0.05)
        finished.append(n)

    for n in range(3):
        work.spawn(slow(n), what=f"job {n}")
    await work.drain(grace=5)
    assert sorted(finished) == [0, 1, 2]
    assert len(work) == 0


async def test_shutdown_drops_what_outlasts_the_grace_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    work = AfterAck(limit=1)
    never = asyncio.Event()

    async def stuck() -> None:
        await never.wait()

    for n in range(3):
        work.spawn(stuck(), what=f"event Ev{n}")
    await work.drain(grace=0.05)
    assert len(work) == 0
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "3 pieces of Slack work" in warning.getMessage()


async def test_at_most_limit_pieces_run_at_once() -> None:
    work = AfterAck(limit=2)
    running = 0
    peak = 0

    async def job() -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1

    for n in range(6):
        work.spawn(job(), what=f"job {n}")
    await work.drain(grace=5)
    assert peak == 2


async def test_queued_work_waits_while_deliveries_come_in_then_runs_in_order() -> None:
    work = AfterAck(quiet=0.05, longest_wait=30)
    ran: list[str] = []

    async def job(name: str) -> None:
        ran.append(name)

    with work.receiving():
        work.spawn(job("first"), what="first")
        work.spawn(job("second"), what="second")
        await asyncio.sleep(0.2)
        assert ran == []  # a delivery is still being read and acked
    await asyncio.sleep(0.01)
    assert ran == []  # the pause has only just begun
    await work.drain(grace=5)
    assert ran == ["first", "second"]


async def test_work_that_cannot_wait_runs_while_deliveries_come_in() -> None:
    work = AfterAck(quiet=30, longest_wait=30)
    ran = asyncio.Event()

    async def open_form() -> None:
        ran.set()

    with work.receiving():
        work.spawn(open_form(), what="form for /propose", queued=False)
        await asyncio.wait_for(ran.wait(), timeout=2)


async def test_queued_work_still_moves_when_deliveries_never_pause() -> None:
    work = AfterAck(quiet=30, longest_wait=0.05)
    ran = asyncio.Event()

    async def job() -> None:
        ran.set()

    with work.receiving():
        work.spawn(job(), what="job")
        await asyncio.wait_for(ran.wait(), timeout=2)


async def test_shutdown_does_not_wait_for_a_pause() -> None:
    work = AfterAck(quiet=30, longest_wait=30)
    ran = asyncio.Event()

    async def job() -> None:
        ran.set()

    with work.receiving():
        work.spawn(job(), what="job")
        await work.drain(grace=2)
    assert ran.is_set()
    assert len(work) == 0


def test_port_names_groups_by_mention_and_refuses_unset_channels() -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    port = SlackChatPort(
        client=AsyncWebClient(token="xoxb-unused", base_url="http://127.0.0.1:9/"),
        channels={ChannelRole.REVIEW: "CREVIEW", ChannelRole.APPROVED: None},
        editors=("UED1", "UED2"),
        steering_group="SSTEER",
    )
    assert [m.id for m in port.members_of(Group.EDITORS)] == ["UED1", "UED2"]
    [steering] = port.members_of(Group.STEERING)
    assert (steering.kind, steering.id) == (MentionKind.GROUP, "SSTEER")
    assert port.channel_id(ChannelRole.REVIEW) == "CREVIEW"
    with pytest.raises(PlatformError, match="SLACK_APPROVED_CHANNEL is not set"):
        port.channel_id(ChannelRole.APPROVED)
