"""A Slack call that fails with an HTML page instead of JSON (a proxy, an outage)
still becomes a PlatformError naming the method and the HTTP status, never an
AttributeError from reading the page as JSON."""

from __future__ import annotations

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.platforms.slack.port import SlackChatPort
from handlers.messages import Message
from handlers.port import ChannelRole, MessageRef, PlatformError
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_harness import BOT_TOKEN

REVIEW = "CREVIEW1"


def _port(fake: FakeSlack) -> SlackChatPort:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url, retry_handlers=[])
    return SlackChatPort(
        client=client, channels={ChannelRole.REVIEW: REVIEW}, editors=(), steering_group=None
    )


async def test_an_html_500_on_post_is_a_platform_error_naming_the_status() -> None:
    async with FakeSlack() as fake:
        fake.fail_http("chat.postMessage", 500)
        with pytest.raises(PlatformError, match=r"chat\.postMessage failed: HTTP 500"):
            await _port(fake).post(channel=ChannelRole.REVIEW, message=Message(body="hi"))


async def test_an_html_502_on_react_is_a_platform_error_naming_the_status() -> None:
    async with FakeSlack() as fake:
        fake.fail_http("reactions.add", 502)
        with pytest.raises(PlatformError, match=r"reactions\.add failed: HTTP 502"):
            await _port(fake).react(
                ref=MessageRef(channel=REVIEW, message_id="1.000001"), emoji="eyes"
            )


async def test_already_reacted_is_not_an_error() -> None:
    async with FakeSlack() as fake:
        fake.fail_next("reactions.add", "already_reacted")
        await _port(fake).react(ref=MessageRef(channel=REVIEW, message_id="1.000001"), emoji="eyes")
