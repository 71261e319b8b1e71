"""Nothing Slack has had acknowledged is lost, and nothing is done twice: the real
Slack app against the fake Slack, stopped while the work after an ack is held up,
then started again (`handlers.delivery`)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select, text

from bot.assembly import build_services
from bot.platforms.slack.platform import SlackPlatform
from bot.settings import Settings
from handlers.context import Services
from storage.models import Delivery, Proposal, Vote
from tests.fakes.slack_api import FakeCall, FakeSlack
from tests.fakes.slack_harness import (
    APPROVED,
    EDITORS,
    REVIEW,
    STEERING_GROUP,
    STEERING_MEMBERS,
    SlackSender,
    reaction_event,
    slack_settings,
)

PROPOSER = "UMEMBER01"
DRAFT = "Come and help at our street stall on Saturday morning in the town square."


@dataclass
class HeldSlack(FakeSlack):
    """The fake Slack, able to hold calls to some methods until released: the work after
    an ack stops there, as if the process were stopped at that moment."""

    held: set[str] = field(default_factory=set)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method in self.held:
            await self._record(FakeCall("held", {"method": method}))
            await self.released.wait()
        return await super()._api(request)


@dataclass
class Running:
    platform: SlackPlatform
    services: Services
    sender: SlackSender


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Running]:
    """The Slack app as one process runs it, replaying at once what it finds."""
    services = build_services(settings)
    platform = SlackPlatform(
        settings=settings,
        services=services,
        host="127.0.0.1",
        shutdown_grace=0.2,
    )
    await platform.start()
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            url = f"http://127.0.0.1:{platform.http_port}/slack/events"
            yield Running(platform, services, SlackSender(url, session=session))
    finally:
        await platform.stop()
        await services.db.dispose()


async def count(services: Services, model: type[object]) -> int:
    async with services.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def stored(services: Services) -> list[Delivery]:
    async with services.db.session() as session:
        return list(
            (await session.execute(select(Delivery).order_by(Delivery.received_at))).scalars()
        )


async def until_done(services: Services, *, within: float = 5.0) -> list[Delivery]:
    async with asyncio.timeout(within):
        while True:
            found = await stored(services)
            if found and all(i.done_at is not None for i in found):
                return found
            await asyncio.sleep(0.02)


def posts_to(fake: FakeSlack, channel: str) -> list[FakeCall]:
    return [c for c in fake.calls_to("chat.postMessage") if c.params["channel"] == channel]


@pytest.fixture
async def fake() -> AsyncIterator[HeldSlack]:
    server = HeldSlack(usergroups={STEERING_GROUP: STEERING_MEMBERS})
    await server.start()
    try:
        yield server
    finally:
        server.released.set()  # never leave a held request behind
        await server.close()


async def test_a_command_acked_before_a_stop_runs_once_after_the_restart(
    fake: HeldSlack, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = slack_settings(fake, database_url)
    # The first thing the work does after the ack is look the member's roles up.
    fake.held.add("usergroups.users.list")
    async with running(settings) as first:
        status, body = await first.sender.command(
            text=DRAFT,
            user_id=PROPOSER,
            user_name="sam",
            response_url=fake.response_url("propose"),
        )
        assert (status, body) == (200, "")  # Slack has its ack
        await fake.wait_for(lambda calls: any(c.method == "held" for c in calls))
        # ... and the process stops here, with the work held up.
    fake.held.clear()
    fake.released.set()
    [item] = await stored(first.services)
    assert item.done_at is None and item.event["command"] == "propose"
    assert "response" not in json.dumps(item.event)  # no response URL is stored
    async with running(settings) as second:
        assert await count(second.services, Proposal) == 0
        # The restart runs it: the card goes up, and the proposer is told by DM.
        await fake.wait_for(
            lambda calls: bool(posts_to(fake, REVIEW)) and bool(posts_to(fake, "DMEMBER01"))
        )
        [item] = await until_done(second.services)
        assert await count(second.services, Proposal) == 1
        [dm] = posts_to(fake, "DMEMBER01")
        assert "restarted before it could answer your /propose" in json.dumps(dm.params)
    # The expired response URL was not used; a third start runs nothing again.
    assert fake.calls_to("response_url") == []
    async with running(settings) as third:
        await fake.settle(quiet=0.3)
        assert await count(third.services, Proposal) == 1
    assert len(posts_to(fake, REVIEW)) == 1
    assert len(posts_to(fake, "DMEMBER01")) == 1
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_redelivered_event_is_acked_and_processed_once(
    fake: HeldSlack, database_url: str
) -> None:
    settings = slack_settings(fake, database_url)
    async with running(settings) as slack:
        await slack.sender.command(
            text=DRAFT,
            user_id=PROPOSER,
            user_name="sam",
            response_url=fake.response_url("propose"),
        )
        # The answer comes once the card's place is stored: votes on it count from then.
        await fake.wait_calls("response_url")
        async with slack.services.db.session() as session:
            card_ts = str((await session.execute(select(Proposal.card_message_id))).scalar_one())
        approve = reaction_event(
            user=EDITORS[0], emoji="white_check_mark", channel=REVIEW, ts=card_ts
        )
        for retry in (None, 1, 2):  # Slack's retries keep the event_id
            status, _ = await slack.sender.event(approve, event_id="Ev0APPROVE1", retry_num=retry)
            assert status == 200
        await fake.wait_for(lambda _calls: bool(posts_to(fake, APPROVED)))
        done = await until_done(slack.services)
        await fake.settle(quiet=0.3)
        assert len(posts_to(fake, APPROVED)) == 1
        assert await count(slack.services, Vote) == 1
        assert len([i for i in done if "emoji" in i.event]) == 1
        # Run once, not merely deduplicated downstream: one vote added, and the card
        # updated twice (the approved post on its way, then out), not four times.
        assert len(fake.calls_to("chat.update")) == 2


async def test_a_command_that_cannot_be_stored_is_answered_and_changes_nothing(
    fake: HeldSlack, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = slack_settings(fake, database_url)
    async with running(settings) as slack:
        async with slack.services.db.transaction() as session:
            await session.execute(text("DROP TABLE deliveries"))
        status, body = await slack.sender.command(
            text=DRAFT,
            user_id=PROPOSER,
            user_name="sam",
            response_url=fake.response_url("propose"),
        )
        # Answered in the ack itself: nothing was taken, so there is nothing to lose.
        assert status == 200
        assert "could not take your /propose just now, so nothing was changed" in body
        await fake.settle(quiet=0.3)
        assert await count(slack.services, Proposal) == 0
    # One line, naming the error's kind only (its message carries SQL and member text).
    assert any(
        r.getMessage().startswith("delivery slack-command:")
        and r.getMessage().endswith(("OperationalError", "ProgrammingError"))
        for r in caplog.records
    )
    assert not any(r.exc_info for r in caplog.records)
    assert DRAFT not in caplog.text
