"""Nothing Discord has had acknowledged is lost, and nothing is done twice: the real
discord.py client against the fake Discord, stopped right after a `/propose` was
deferred, then started again (`handlers.delivery`)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.assembly import build_services
from bot.platforms.discord.platform import DiscordPlatform
from bot.settings import Settings, load_settings
from handlers.context import Services
from storage.models import Delivery, Proposal
from tests.fakes.discord_server import (
    APPROVED_CHANNEL,
    EDITOR_ROLE,
    GUILD_ID,
    REVIEW_CHANNEL,
    FakeDiscord,
    FakeMessage,
)

PAT = 870000000000000001
TOKEN = "MTIzNDU2Nzg5.fake-discord.secret-token-for-tests"
DRAFT = "Come and meet your local councillors at the library on Saturday from 10am."


class HeldDiscord(FakeDiscord):
    """The fake Discord, able to take an interaction's callback (Discord has its ack)
    and hold the answer back: the bot is stopped at that moment."""

    def __init__(self, *, token: str) -> None:
        super().__init__(token=token)
        self.hold_callbacks = False
        self.released = asyncio.Event()

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        response = await super()._rest(request)
        if self.hold_callbacks and request.path.endswith("/callback"):
            await self.released.wait()
        return response


@pytest.fixture
async def fake() -> AsyncIterator[HeldDiscord]:
    server = HeldDiscord(token=TOKEN)
    await server.start()
    server.add_member(PAT, "Pat", roles=[])
    try:
        yield server
    finally:
        server.released.set()  # never leave a held request behind
        await server.stop()


def settings_for(fake: FakeDiscord, database_url: str) -> Settings:
    return load_settings(
        DATABASE_URL=database_url,
        DISCORD_TOKEN=TOKEN,
        DISCORD_GUILD_ID=GUILD_ID,
        DISCORD_API_URL=fake.api_url,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        DISCORD_REVIEW_CHANNEL=REVIEW_CHANNEL,
        DISCORD_APPROVED_CHANNEL=APPROVED_CHANNEL,
        DISCORD_EDITOR_ROLE=EDITOR_ROLE,
    )


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[tuple[DiscordPlatform, Services]]:
    """One process's life: the platform replays at once what it finds; its bot ends cleanly."""
    services = build_services(settings)
    platform = DiscordPlatform(
        settings=settings,
        services=services,
        ready_timeout=10,
        guild_ready_timeout=0.05,
        shutdown_grace=0.2,
    )
    await platform.start()
    task = platform.task
    assert task is not None
    try:
        yield platform, services
    finally:
        await platform.stop()
        await services.db.dispose()
    assert task.done() and task.exception() is None


async def count(services: Services, model: type[object]) -> int:
    async with services.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def stored(services: Services) -> list[Delivery]:
    async with services.db.session() as session:
        return list(
            (await session.execute(select(Delivery).order_by(Delivery.received_at))).scalars()
        )


def everything(message: FakeMessage) -> str:
    return json.dumps([message.content, message.embeds])


async def test_a_propose_deferred_before_a_stop_runs_once_after_the_restart(
    fake: HeldDiscord, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(fake, database_url)
    fake.hold_callbacks = True
    async with running(settings):
        payload = await fake.slash_command(
            "propose", user_id=PAT, subcommand="new", options={"text": DRAFT}
        )
        # Discord has the defer (its ack): "postgate is thinking..." shows to Pat.
        deferred = await fake.wait_for(lambda: fake.callbacks.get(int(payload["id"])))
        assert deferred["type"] == 5
        # ... and the process stops before the answer.
    fake.hold_callbacks = False
    fake.released.set()
    async with running(settings) as (platform, services):
        [item] = await stored(services)
        assert item.key == f"discord-interaction:{payload['id']}"
        assert payload["token"] not in json.dumps(item.event)  # no interaction token stored
        assert platform.replaying is not None
        async with asyncio.timeout(10):
            assert await platform.replaying == 1
        [card] = fake.channel_messages(REVIEW_CHANNEL)
        assert DRAFT in everything(card)
        [dm] = fake.dms_to(PAT)
        assert "restarted before it could answer your /propose" in everything(dm)
        assert await count(services, Proposal) == 1
        [item] = await stored(services)
        assert item.done_at is not None
    # The expired interaction token was not used; a third start runs nothing again.
    assert payload["token"] not in fake.followups
    async with running(settings) as (platform, services):
        assert platform.replaying is not None
        async with asyncio.timeout(10):
            assert await platform.replaying == 0
        assert await count(services, Proposal) == 1
    assert len(fake.channel_messages(REVIEW_CHANNEL)) == 1
    assert len(fake.dms_to(PAT)) == 1
    # The stop cut the work short quietly: a warning that says so, no error.
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
