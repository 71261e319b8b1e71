"""The Slack platform over real HTTP against the fake Slack, with a test command
registered the way every command is (the registry), so the adapter's own behaviour
shows whatever commands the workflow offers."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator

import pytest

from handlers.commands import registry
from handlers.commands.spec import Arg, ArgKind, Call, Command, Subcommand
from handlers.context import Context
from handlers.events import Invocation, Reply, Role
from handlers.messages import Message, Tone
from handlers.port import ChannelRole
from tests.fakes.slack_api import APP_ID, TEAM_ID
from tests.fakes.slack_harness import (
    APP_TOKEN,
    BOT_TOKEN,
    GENERAL,
    REVIEW,
    SIGNING_SECRET,
    STEERING_MEMBERS,
    running_slack,
)

HEARD: list[Invocation] = []


async def _echo(call: Call, ctx: Context) -> Reply:
    invocation = call.invocation
    HEARD.append(invocation)
    if invocation.text == "boom":
        raise RuntimeError("the handler broke")
    if invocation.text.startswith("card "):
        ref = await ctx.port.post(
            channel=ChannelRole.REVIEW, message=Message(title="Card", quote=invocation.text[5:])
        )
        return Reply(Message(body=f"posted {ref.message_id}"), visibility="channel")
    return Reply(Message(body=f"heard: {invocation.text}", tone=Tone.INFO))


ECHO = Command(
    name="echo",
    summary="Say it back",
    subcommands=(
        Subcommand(
            name="say",
            summary="says it back",
            handler=_echo,
            args=(
                Arg(
                    name="text",
                    shown="[TEXT]",
                    kind=ArgKind.TEXT,
                    description="what to say",
                    optional=True,
                ),
            ),
            keyword=False,
        ),
    ),
    plain="say",
    opens_form_when_empty=True,
    arg_description="what to say",
)


@pytest.fixture(autouse=True)
def _echo_command(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(registry, "COMMANDS", (*registry.COMMANDS, ECHO))
    HEARD.clear()
    yield


async def test_health_answers(database_url: str) -> None:
    async with running_slack(database_url) as slack:
        assert slack.sender.session is not None
        url = slack.sender.url.replace("/slack/events", "/health")
        async with slack.sender.session.get(url) as response:
            assert response.status == 200
            assert (await response.json())["workspace"] == f"slack:{TEAM_ID}"


async def test_command_is_acked_then_answered_privately(database_url: str) -> None:
    async with running_slack(database_url) as slack:
        status, body = await slack.sender.command(
            command="/echo",
            text="hello <!channel>",
            user_id="UMEMBER01",
            user_name="sam",
            response_url=slack.fake.response_url("one"),
        )
        assert status == 200
        assert body == ""
        [answer] = await slack.fake.wait_calls("response_url")
        assert answer.params["response_type"] == "ephemeral"
        assert "heard: hello &lt;!channel&gt;" in json.dumps(answer.params["blocks"])
        assert "<!channel>" not in json.dumps(answer.params)
        [invocation] = HEARD
        assert invocation.workspace == f"slack:{TEAM_ID}"
        assert invocation.command == "echo"
        assert invocation.actor.name == "sam"
        assert Role.PROPOSER in invocation.actor.roles and not invocation.actor.is_editor
        assert invocation.channel == GENERAL


async def test_roles_come_from_settings_and_the_steering_group(database_url: str) -> None:
    async with running_slack(database_url, SLACK_PROPOSERS="UCHAIR001") as slack:
        for user in ("UEDITOR01", STEERING_MEMBERS[0], "UMEMBER01"):
            await slack.sender.command(command="/echo", text="hi", user_id=user)
        await slack.fake.wait_for(lambda _c: len(HEARD) == 3)
        roles = {i.actor.id: i.actor for i in HEARD}
        assert roles["UEDITOR01"].is_editor and Role.PROPOSER not in roles["UEDITOR01"].roles
        assert roles["UCHAIR001"].is_steering and Role.PROPOSER in roles["UCHAIR001"].roles
        assert not roles["UMEMBER01"].is_steering and Role.PROPOSER not in roles["UMEMBER01"].roles
        # The group's membership is cached: one lookup for three commands.
        assert len(slack.fake.calls_to("usergroups.users.list")) == 1


async def test_channel_reply_and_card_posted_through_the_port(database_url: str) -> None:
    async with running_slack(database_url) as slack:
        await slack.sender.command(command="/echo", text="card <@U999> & co", user_id="UMEMBER01")
        posts = await slack.fake.wait_calls("chat.postMessage", 2)
        card = next(p for p in posts if p.params["channel"] == REVIEW)
        assert "&gt; <@U999>" not in json.dumps(card.params["blocks"])
        assert "&lt;@U999&gt; &amp; co" in json.dumps(card.params["blocks"])
        assert card.token == BOT_TOKEN
        # No response_url in this payload: the channel reply goes through the Web API.
        reply = next(p for p in posts if p.params["channel"] == GENERAL)
        assert "posted" in json.dumps(reply.params["blocks"])


async def test_handler_failure_is_a_kind_reply_and_logged(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_slack(database_url) as slack:
        status, _ = await slack.sender.command(
            command="/echo",
            text="boom",
            user_id="UMEMBER01",
            response_url=slack.fake.response_url(),
        )
        assert status == 200
        [answer] = await slack.fake.wait_calls("response_url")
        assert "something went wrong" in json.dumps(answer.params["blocks"])
        assert "the handler broke" in caplog.text


async def test_bad_signature_and_stale_timestamp_are_refused(database_url: str) -> None:
    async with running_slack(database_url) as slack:
        status, _ = await slack.sender.command(
            command="/echo", text="x", user_id="UMEMBER01", signature="v0=" + "0" * 64
        )
        assert status == 401
        status, _ = await slack.sender.command(
            command="/echo", text="x", user_id="UMEMBER01", timestamp=int(time.time()) - 600
        )
        assert status == 401
        await slack.fake.settle(quiet=0.2)
        assert HEARD == []
        assert [c.method for c in slack.fake.calls] == ["auth.test", "bots.info"]  # at start


async def test_empty_text_opens_a_form_and_its_submission_is_the_same_command(
    database_url: str,
) -> None:
    async with running_slack(database_url) as slack:
        await slack.sender.command(command="/echo", text="", user_id="UMEMBER01", trigger_id="1.t")
        [opened] = await slack.fake.wait_calls("views.open")
        view = opened.params["view"]
        if isinstance(view, str):
            view = json.loads(view)
        assert view["blocks"][0]["element"]["multiline"] is True
        assert HEARD == []
        status, _ = await slack.sender.submit_form(view, text="a\nb")
        assert status == 200
        [ephemeral] = await slack.fake.wait_calls("chat.postEphemeral")
        assert ephemeral.params["channel"] == GENERAL
        assert ephemeral.params["user"] == "UMEMBER01"
        [invocation] = HEARD
        assert (invocation.command, invocation.text, invocation.channel) == (
            "echo",
            "a\nb",
            GENERAL,
        )


async def test_rate_limited_call_is_retried_after_retry_after(database_url: str) -> None:
    async with running_slack(database_url) as slack:
        slack.fake.rate_limit_once("chat.postMessage")
        await slack.sender.command(command="/echo", text="card hello", user_id="UMEMBER01")
        await slack.fake.wait_for(
            lambda calls: len([c for c in calls if c.method == "chat.postMessage"]) >= 3
        )
        cards = [
            c for c in slack.fake.calls_to("chat.postMessage") if c.params["channel"] == REVIEW
        ]
        assert len(cards) == 2  # the 429, then the same call again
        assert cards[0].params == cards[1].params


async def test_tokens_never_reach_the_log(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running_slack(database_url, SLACK_APP_TOKEN=APP_TOKEN) as slack:
        await slack.fake.wait_connected()
        await slack.fake.send_envelope(
            type="slash_commands",
            payload={
                "team_id": TEAM_ID,
                "api_app_id": APP_ID,
                "user_id": "UMEMBER01",
                "user_name": "sam",
                "command": "/echo",
                "text": "secret-free",
                "channel_id": GENERAL,
                "response_url": slack.fake.response_url(),
                "trigger_id": "1.t",
            },
        )
        await slack.fake.wait_calls("response_url")
    async with running_slack(database_url) as slack:
        await slack.sender.command(command="/echo", text="card x", user_id="UMEMBER01")
        await slack.fake.wait_calls("chat.postMessage", 2)
    assert "heard" in caplog.text or "chat.postMessage" in caplog.text
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET):
        assert secret not in caplog.text


async def test_a_refused_request_is_logged_without_its_body(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # bolt logs the whole body of a request it refuses, at INFO: a genuine one replayed
    # too late carries Slack's legacy verification token and a live response URL.
    caplog.set_level(logging.DEBUG)
    async with running_slack(database_url) as slack:
        status, _ = await slack.sender.command(
            command="/echo",
            text="too late",
            user_id="UMEMBER01",
            response_url=slack.fake.response_url(),
            timestamp=int(time.time()) - 600,
        )
        assert status == 401
    for secret in ("legacy-verification-token", "response_url", "too late"):
        assert secret not in caplog.text
    assert "refused a Slack request" in caplog.text


async def test_the_runtime_starts_and_stops_the_slack_app(database_url: str) -> None:
    import asyncio
    import contextlib

    import aiohttp

    from bot.assembly import build_services
    from bot.platforms import enabled_platforms
    from bot.platforms.slack.platform import SlackPlatform
    from bot.runtime import Runtime
    from tests.fakes.slack_api import FakeSlack
    from tests.fakes.slack_harness import SlackSender, slack_settings

    async with FakeSlack() as fake:
        settings = slack_settings(fake, database_url)
        services = build_services(settings)
        [platform] = enabled_platforms(settings, services, local=False)
        assert platform.name == "slack"
        runtime = Runtime(settings=settings, services=services, platforms=[platform])
        task = asyncio.create_task(runtime.run())
        assert isinstance(platform, SlackPlatform)
        url = f"http://127.0.0.1:{settings.port}"
        async with aiohttp.ClientSession() as session:
            for _ in range(500):  # until the runtime has started the app (bounded)
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"{url}/health") as health:
                        if health.status == 200:
                            break
                await asyncio.sleep(0.01)
            sender = SlackSender(f"{url}/slack/events", session=session)
            status, _ = await sender.command(
                command="/help", text="", user_id="UMEMBER01", response_url=fake.response_url()
            )
            assert status == 200
            [answer] = await fake.wait_calls("response_url")
            assert "/propose" in json.dumps(answer.params["blocks"])
        runtime.request_stop()
        async with asyncio.timeout(10):
            await task
        assert task.exception() is None


async def test_when_the_form_cannot_open_the_command_still_answers(database_url: str) -> None:
    async with running_slack(database_url) as slack:
        slack.fake.fail_next("views.open", "expired_trigger_id")
        await slack.sender.command(
            command="/echo", text="", user_id="UMEMBER01", response_url=slack.fake.response_url()
        )
        [answer] = await slack.fake.wait_calls("response_url")
        assert "heard: " in json.dumps(answer.params["blocks"])
        assert [i.text for i in HEARD] == [""]
