"""The outbox on Discord: with the fake Discord failing on purpose (503s, which
discord.py does not retry itself, and 429s with retry_after beyond discord.py's own
five tries) on each kind of post, every message postgate owes goes out exactly once
when Discord recovers, and the card ends in its true state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.platforms.discord.platform import DiscordPlatform
from bot.sender import OutboxSender
from handlers.context import Services
from tests.fakes.discord_server import APPROVED_CHANNEL, REVIEW_CHANNEL, FakeDiscord
from tests.platforms.discord.test_flow import (
    DRAFT,
    ERIN,
    PAT,
    everything,
    running,
    settings_for,
    title,
)
from tests.platforms.discord.test_read_back import fake  # noqa: F401 - the fixture

WITHIN = 30.0  # seconds: a few doubling retries


@asynccontextmanager
async def sending(
    fake: FakeDiscord,  # noqa: F811
    database_url: str,
) -> AsyncIterator[tuple[DiscordPlatform, Services]]:
    """The Discord platform with the outbox's sender beside it, as `postgate run` has."""
    async with running(settings_for(fake, database_url)) as (platform, services):
        sender = OutboxSender(services=services, every=0.1)
        await sender.start([platform])
        try:
            yield platform, services
        finally:
            await sender.stop()


def outage(fake: FakeDiscord, method: str, pattern: str) -> None:  # noqa: F811
    """Two 503s (one attempt each), then five 429s (one attempt: discord.py waits out
    each retry_after and gives up after five)."""
    for _ in range(2):
        fake.fail_next(method, pattern, 503)
    for _ in range(5):
        fake.fail_next(method, pattern, 429, retry_after=0.01)


async def test_every_kind_of_post_through_503s_and_429s_goes_out_once(
    fake: FakeDiscord,  # noqa: F811
    database_url: str,
) -> None:
    review = rf"/channels/{REVIEW_CHANNEL}/messages"
    async with sending(fake, database_url):
        outage(fake, "POST", review)  # the card
        outage(fake, "PUT", review + r"/\d+/reactions/[^/]+/@me")  # the bot's reactions
        payload = await fake.slash_command(
            "propose", user_id=PAT, subcommand="new", options={"text": DRAFT}
        )
        await fake.wait_for(lambda: fake.followups.get(payload["token"]), within=WITHIN)
        await fake.wait_for(lambda: len(fake.reactions) == 3, within=WITHIN)
        (card,) = fake.channel_messages(REVIEW_CHANNEL)
        assert len({emoji for _c, _m, emoji in fake.reactions}) == 3
        assert {message for _c, message, _e in fake.reactions} == {card.id}

        # The decision: the card's update, the approved post and the proposer's notice.
        outage(fake, "PATCH", review + rf"/{card.id}")
        outage(fake, "POST", rf"/channels/{APPROVED_CHANNEL}/messages")
        dm = rf"/channels/(?!{REVIEW_CHANNEL}|{APPROVED_CHANNEL})\d+/messages"
        outage(fake, "POST", dm)
        await fake.react(message_id=card.id, user_id=ERIN, emoji="\u2705")
        await fake.wait_for(
            lambda: card.edits and "Sent to the approved channel" in everything(card),
            within=WITHIN,
        )
        await fake.wait_for(lambda: fake.dms_to(PAT), within=WITHIN)
        assert "APPROVED" in title(card)
        assert len(fake.channel_messages(APPROVED_CHANNEL)) == 1
        assert len(fake.dms_to(PAT)) == 1
        assert fake.channel_messages(REVIEW_CHANNEL) == [card]
        assert len(fake.reactions) == 3
        # Every failure was met: each kind was refused seven times before it went out.
        assert fake.failures_left() == 0
