"""Slack's free plan has no user groups: the steering group as a list of user ids
(SLACK_STEERING_USERS), or as the members of the steering channel
(SLACK_STEERING_CHANNEL_MEMBERS), against the fake Slack over real HTTP."""

from __future__ import annotations

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.platforms.slack.people import SlackPeople
from bot.platforms.slack.port import SlackChatPort
from bot.settings import load_settings
from handlers.events import Role
from handlers.messages import Mention
from handlers.port import Group
from tests.fakes.slack_api import FakeSlack


def client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=fake.api_url)


async def test_a_list_of_user_ids() -> None:
    async with FakeSlack() as fake:
        people = SlackPeople(
            client=client(fake),
            editors=(),
            proposers=(),
            steering_group=None,
            steering_users=("USTEER1", "USTEER2"),
        )
        assert Role.STEERING in (await people.actor(user_id="USTEER2", name="sam")).roles
        assert Role.STEERING not in (await people.actor(user_id="UOTHER", name="jo")).roles
        assert fake.calls_to("usergroups.users.list") == []  # no paid-plan call at all
        port = SlackChatPort(
            client=client(fake),
            channels={},
            editors=(),
            steering_group=None,
            steering_users=("USTEER1", "USTEER2"),
        )
        assert port.members_of(Group.STEERING) == (
            Mention.user("USTEER1"),
            Mention.user("USTEER2"),
        )


async def test_the_members_of_the_steering_channel_every_page() -> None:
    async with FakeSlack() as fake:
        fake.channel_members["CSTEER"] = tuple(f"U{n:05d}" for n in range(2500))
        people = SlackPeople(
            client=client(fake),
            editors=(),
            proposers=(),
            steering_group=None,
            steering_channel="CSTEER",
        )
        assert Role.STEERING in (await people.actor(user_id="U02499", name="last")).roles
        assert Role.STEERING not in (await people.actor(user_id="UOUTSIDE", name="jo")).roles
        assert len(fake.calls_to("conversations.members")) == 3  # 1,000 a page, then cached


def test_the_settings_read_as_the_free_plan_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_STEERING_USERS", "USTEER1, USTEER2")
    monkeypatch.setenv("SLACK_STEERING_CHANNEL_MEMBERS", "true")
    settings = load_settings()
    assert settings.slack_steering_users == ("USTEER1", "USTEER2")
    assert settings.slack_steering_channel_members is True
    monkeypatch.setenv("SLACK_STEERING_CHANNEL_MEMBERS", "")  # as .env.example has it
    assert load_settings().slack_steering_channel_members is False
