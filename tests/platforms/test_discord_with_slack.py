"""One `postgate run` (one Runtime: one loop, one database, one scheduler) serving the
fake Slack (Socket Mode) and the fake Discord at once, each with its own proposal."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from sqlalchemy import select

from bot.assembly import build_services
from bot.runtime import build_runtime
from handlers.context import Services
from storage.models import Proposal
from tests.fakes.discord_server import (
    APPROVED_CHANNEL,
    EDITOR_ROLE,
    GUILD_ID,
    REVIEW_CHANNEL,
    FakeDiscord,
)
from tests.fakes.slack_api import APP_ID, TEAM_ID, FakeSlack
from tests.fakes.slack_harness import (
    APP_TOKEN,
    APPROVED,
    EDITORS,
    GENERAL,
    REVIEW,
    event_callback,
    reaction_event,
    slack_settings,
)

T = TypeVar("T")
DISCORD_TOKEN = "discord-token-for-the-runtime-test"
PAT = 870000000000000001
ERIN = 870000000000000002
SLACK_PROPOSER = "UMEMBER01"


async def until(run: asyncio.Task[None], waiting: Awaitable[T]) -> T:
    """Wait for something while the runtime runs; if the runtime ends first, say why."""
    step: asyncio.Future[T] = asyncio.ensure_future(waiting)
    watched: set[asyncio.Future[Any]] = {run, step}
    done, _ = await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
    if step not in done:
        step.cancel()
        run.result()
        raise AssertionError("the runtime stopped early")
    return step.result()


async def test_one_runtime_serves_slack_and_discord(database_url: str) -> None:
    async with FakeSlack() as slack, FakeDiscord(token=DISCORD_TOKEN) as discord:
        discord.add_member(PAT, "Pat", roles=[])
        discord.add_member(ERIN, "Erin", roles=[EDITOR_ROLE])
        settings = slack_settings(
            slack,
            database_url,
            SLACK_APP_TOKEN=APP_TOKEN,
            DISCORD_TOKEN=DISCORD_TOKEN,
            DISCORD_GUILD_ID=GUILD_ID,
            DISCORD_API_URL=discord.api_url,
            DISCORD_GATEWAY_URL=discord.gateway_url,
            DISCORD_REVIEW_CHANNEL=REVIEW_CHANNEL,
            DISCORD_APPROVED_CHANNEL=APPROVED_CHANNEL,
            DISCORD_EDITOR_ROLE=EDITOR_ROLE,
        )
        assert settings.slack_enabled and settings.discord_enabled
        services = build_services(settings)
        runtime = build_runtime(settings, services)  # exactly what `postgate run` serves
        assert [p.name for p in runtime.platforms] == ["slack", "discord"]
        run = asyncio.create_task(runtime.run())
        try:
            await until(run, slack.wait_connected(within=15))
            await until(run, discord.wait_for(lambda: discord.commands, within=15))

            # Discord: /propose, then an editor's reaction approves it.
            command = await discord.slash_command(
                "propose",
                user_id=PAT,
                subcommand="new",
                options={"text": "Discord: come to the library on Saturday."},
            )
            await until(run, discord.wait_for(lambda: discord.followups.get(command["token"])))
            (card,) = discord.channel_messages(REVIEW_CHANNEL)
            await discord.react(message_id=card.id, user_id=ERIN, emoji="✅")

            # Slack: /propose over Socket Mode, then an editor's reaction approves it.
            await slack.send_envelope(
                type="slash_commands",
                payload={
                    "team_id": TEAM_ID,
                    "api_app_id": APP_ID,
                    "user_id": SLACK_PROPOSER,
                    "user_name": "sam",
                    "command": "/propose",
                    "text": "Slack: help at the street stall on Saturday morning.",
                    "channel_id": GENERAL,
                    "response_url": slack.response_url("propose"),
                    "trigger_id": "1.t",
                },
            )
            # The private answer comes after the card is posted and stored.
            await until(run, slack.wait_calls("response_url", within=10))
            assert _posted(slack, REVIEW)
            ts = await _card_ts(services, f"slack:{TEAM_ID}")
            await slack.send_envelope(
                type="events_api",
                payload=event_callback(
                    reaction_event(
                        user=EDITORS[0], emoji="white_check_mark", channel=REVIEW, ts=ts
                    ),
                    event_id="EvBOTH1",
                ),
            )

            await until(run, discord.wait_for(lambda: discord.channel_messages(APPROVED_CHANNEL)))
            await until(run, slack.wait_for(lambda _calls: bool(_posted(slack, APPROVED))))
        finally:
            runtime.request_stop()
            await asyncio.wait_for(run, 30)

        check = build_services(settings)
        try:
            async with check.db.session() as session:
                rows = (await session.execute(select(Proposal))).scalars().all()
        finally:
            await check.db.dispose()

    assert {(p.workspace, p.status) for p in rows} == {
        (f"discord:{GUILD_ID}", "approved"),
        (f"slack:{TEAM_ID}", "approved"),
    }
    assert "Discord:" in str(discord.channel_messages(APPROVED_CHANNEL)[0].embeds)


def _posted(slack: FakeSlack, channel: str) -> dict[str, Any] | None:
    posts = [c.params for c in slack.calls_to("chat.postMessage") if c.params["channel"] == channel]
    return posts[0] if posts else None


async def _card_ts(services: Services, workspace: str) -> str:
    async with services.db.session() as session:
        found = await session.scalar(
            select(Proposal.card_message_id).where(Proposal.workspace == workspace)
        )
    assert found, "the Slack card is stored"
    return str(found)
