"""kill -9 while the review card's post is in flight, with a real `postgate run`: the
platform has the card, the answer never came. At the next start the card is found
again rather than posted twice (Slack: its key in the message's metadata; Discord:
the nonce), and votes on it count."""

from __future__ import annotations

import signal
from pathlib import Path

import aiohttp

from tests.fakes.discord_server import (
    APPROVED_CHANNEL,
    EDITOR_ROLE,
    GUILD_ID,
    REVIEW_CHANNEL,
    FakeDiscord,
)
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_harness import (
    APPROVED,
    EDITORS,
    REVIEW,
    SlackSender,
    free_port,
    reaction_event,
)
from tests.platforms.discord.test_flow import ERIN, PAT, TOKEN
from tests.process.test_standby import Child, slack_env
from tests.process_support import child_env

DRAFT = "Thank you to everyone who came to the litter pick in Godmanchester on Sunday."
PROPOSER = "UALEX0001"


async def test_a_card_in_flight_at_a_kill_is_posted_once_and_its_votes_count(
    database_url: str, tmp_path: Path
) -> None:
    async with FakeSlack() as fake:
        port = free_port()
        env = slack_env(database_url, fake, port) | {"SLACK_APPROVED_CHANNEL": APPROVED}
        first = await Child.start(env, tmp_path)
        second: Child | None = None
        try:
            await first.wait_line("Slack HTTP mode listening")
            fake.lose_answers("chat.postMessage", hang=True)  # Slack posts it; no answer
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
                sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", session=http)
                status, _ = await sender.command(text=DRAFT, user_id=PROPOSER)
                assert status == 200
                await fake.wait_for(lambda _calls: bool(fake.messages(REVIEW)))
                first.process.send_signal(signal.SIGKILL)
                await first.process.wait()

                second = await Child.start(env, tmp_path)
                await second.wait_line("Slack HTTP mode listening")
                # The card is found again (its key is in its metadata) and linked: the
                # hint reactions go on it.
                await fake.wait_calls("reactions.add", 3, within=30)
                cards = [m for m in fake.messages(REVIEW) if m["thread_ts"] is None]
                assert len(cards) == 1, "exactly one card"
                ts = cards[0]["ts"]
                reacted = {c.params["timestamp"] for c in fake.calls_to("reactions.add")}
                assert reacted == {ts}
                # The member who proposed is told it is with the editors, once.
                # An editor approves on that card: it counts, and decides.
                status, _ = await sender.event(
                    reaction_event(
                        user=EDITORS[0], emoji="white_check_mark", channel=REVIEW, ts=ts
                    ),
                    event_id="EvKILL1",
                )
                assert status == 200
                await fake.wait_for(lambda _calls: bool(fake.messages(APPROVED)), within=30)
            await fake.settle()
            assert len([m for m in fake.messages(REVIEW) if m["thread_ts"] is None]) == 1
            assert len(fake.messages(APPROVED)) == 1

            await second.stop_cleanly()
        finally:
            first.kill()
            if second is not None:
                second.kill()


async def test_on_discord_too_the_nonce_finds_the_card_in_flight_at_a_kill(
    database_url: str, tmp_path: Path
) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        fake.add_member(PAT, "Pat", roles=[])
        fake.add_member(ERIN, "Erin", roles=[EDITOR_ROLE])
        env = child_env(database_url) | {
            "DISCORD_TOKEN": TOKEN,
            "DISCORD_GUILD_ID": str(GUILD_ID),
            "DISCORD_API_URL": fake.api_url,
            "DISCORD_GATEWAY_URL": fake.gateway_url,
            "DISCORD_REVIEW_CHANNEL": str(REVIEW_CHANNEL),
            "DISCORD_APPROVED_CHANNEL": str(APPROVED_CHANNEL),
            "DISCORD_EDITOR_ROLE": str(EDITOR_ROLE),
            "POSTGATE_PORT": str(free_port()),
        }
        first = await Child.start(env, tmp_path)
        second: Child | None = None
        try:
            await first.wait_line("discord platform started")
            fake.hold_next("POST", rf"/channels/{REVIEW_CHANNEL}/messages")
            await fake.slash_command(
                "propose", user_id=PAT, subcommand="new", options={"text": DRAFT}
            )
            await fake.wait_for(lambda: fake.channel_messages(REVIEW_CHANNEL), within=30)
            first.process.send_signal(signal.SIGKILL)
            await first.process.wait()

            second = await Child.start(env, tmp_path)
            await second.wait_line("discord platform started")
            await fake.wait_for(lambda: len(fake.reactions) == 3, within=30)
            (card,) = fake.channel_messages(REVIEW_CHANNEL)  # exactly one card
            assert {message for _channel, message, _emoji in fake.reactions} == {card.id}

            await fake.react(message_id=card.id, user_id=ERIN, emoji="\u2705")
            await fake.wait_for(lambda: fake.channel_messages(APPROVED_CHANNEL), within=30)
            assert len(fake.channel_messages(REVIEW_CHANNEL)) == 1
            assert len(fake.channel_messages(APPROVED_CHANNEL)) == 1

            await second.stop_cleanly()
        finally:
            first.kill()
            if second is not None:
                second.kill()
