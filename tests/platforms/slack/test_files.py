"""Attachments reach Slack as real files: the `/stats` chart through the running app
over signed HTTP, the KPI digest and DMs through its ChatPort, all against the fake
Slack, which hands out upload URLs on itself and records what arrives there."""

from __future__ import annotations

import json
import logging

import pytest
import yaml

from bot.platforms.slack.manifest import manifest_yaml
from bot.platforms.slack.port import SlackChatPort
from handlers.context import Context
from handlers.events import Reply
from handlers.messages import Attachment, Message
from handlers.stats.command import post_kpi_digest
from tests.fakes.slack_api import FakeCall
from tests.fakes.slack_harness import BOT_TOKEN, EDITORS, GENERAL, RunningSlack, running_slack

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EDITOR = EDITORS[0]
EDITOR_DM = "D" + EDITOR.lstrip("U")  # what the fake's conversations.open answers
STEERING = "CSTEERING1"
SLOW = 20.0  # drawing the first chart loads matplotlib: generous, still bounded
UPLOAD_STEPS = ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]


def _dump(call: FakeCall) -> str:
    return json.dumps(call.params, default=str)


def _upload_steps(slack: RunningSlack) -> list[str]:
    return [c.method for c in slack.fake.calls if c.method in UPLOAD_STEPS]


async def _stats(slack: RunningSlack, *, response_url: bool = True) -> FakeCall:
    """/stats typed by an editor in #general; the reply they got."""
    status, body = await slack.sender.command(
        command="/stats",
        text="month",
        user_id=EDITOR,
        channel_id=GENERAL,
        response_url=slack.fake.response_url("stats") if response_url else "",
    )
    assert (status, body) == (200, "")
    method = "response_url" if response_url else "chat.postEphemeral"
    [answer] = await slack.fake.wait_calls(method, within=SLOW)
    return answer


async def test_stats_chart_is_uploaded_to_the_editors_dm_and_the_reply_says_so(
    database_url: str,
) -> None:
    async with running_slack(database_url) as slack:
        answer = await _stats(slack)
        fake = slack.fake
        assert _upload_steps(slack) == UPLOAD_STEPS
        [asked] = fake.calls_to("files.getUploadURLExternal")
        [sent] = fake.calls_to("upload")
        [completed] = fake.calls_to("files.completeUploadExternal")

        # The bytes went to the upload URL the fake handed out (on 127.0.0.1, not
        # slack.com), as a PNG of the announced size, and without the bot token.
        assert sent.params["content"].startswith(PNG_SIGNATURE)
        assert sent.params["size"] == int(asked.params["length"]) > 1000
        assert sent.token is None
        assert [f["id"] for f in json.loads(completed.params["files"])] == [sent.params["file_id"]]
        assert asked.token == completed.token == BOT_TOKEN

        # Shared in the editor's DM with postgate, named, titled and described.
        [dm_open] = fake.calls_to("conversations.open")
        assert dm_open.params["users"] == EDITOR
        [shared] = fake.files
        assert shared.channel == completed.params["channel_id"] == EDITOR_DM
        assert shared.filename == asked.params["filename"]
        assert shared.filename.endswith(".png")
        assert shared.content.startswith(PNG_SIGNATURE)
        assert shared.length == len(shared.content)
        assert "Proposals and decisions per week" in shared.title
        assert shared.initial_comment and "Social media KPIs" in shared.initial_comment
        assert "Proposals and decisions per week" in asked.params["alt_txt"]

        # The private reply keeps its report and says where the chart is.
        assert answer.params["response_type"] == "ephemeral"
        assert "Social media KPIs" in _dump(answer)
        assert "The chart is in your DMs with postgate" in _dump(answer)
        assert "could not be attached" not in _dump(answer)
        await fake.settle(quiet=0.2)
        assert len(fake.calls_to("files.completeUploadExternal")) == 1  # one copy only


async def test_without_a_response_url_the_ephemeral_reply_says_where_the_chart_is(
    database_url: str,
) -> None:
    async with running_slack(database_url) as slack:
        answer = await _stats(slack, response_url=False)
        assert (answer.params["channel"], answer.params["user"]) == (GENERAL, EDITOR)
        assert "The chart is in your DMs with postgate" in _dump(answer)
        [shared] = slack.fake.files
        assert shared.channel == EDITOR_DM


async def test_where_no_ephemeral_is_possible_the_reply_joins_the_chart_in_the_dm(
    database_url: str,
) -> None:
    async with running_slack(database_url) as slack:
        slack.fake.fail_next("chat.postEphemeral", "channel_not_found")
        await _stats(slack, response_url=False)
        [in_dm] = await slack.fake.wait_calls("chat.postMessage")
        assert in_dm.params["channel"] == EDITOR_DM
        assert "Social media KPIs" in _dump(in_dm)
        await slack.fake.settle(quiet=0.2)
        assert len(slack.fake.files) == 1, "the chart is not uploaded a second time"


async def test_a_reply_for_the_channel_has_its_chart_in_the_channel(database_url: str) -> None:
    chart = Attachment("chart.png", PNG_SIGNATURE + b"rest", "image/png", "A chart")
    shared = Reply(Message(title="For everyone", attachments=(chart,)), visibility="channel")
    async with running_slack(database_url) as slack:
        port = slack.platform.port
        assert isinstance(port, SlackChatPort)
        url = slack.fake.response_url("shared")
        await port.reply(reply=shared, user_id=EDITOR, channel_id=GENERAL, response_url=url)
        [in_channel] = slack.fake.files
        assert (in_channel.channel, in_channel.initial_comment) == (GENERAL, None)
        [answer] = slack.fake.calls_to("response_url")
        assert answer.params["response_type"] == "in_channel"
        assert "The chart is just above, in this channel" in _dump(answer)
        assert slack.fake.calls_to("conversations.open") == []

        slack.fake.fail_next("files.completeUploadExternal", "not_in_channel")
        await port.reply(reply=shared, user_id=EDITOR, channel_id=GENERAL, response_url=url)
        assert len(slack.fake.files) == 1
        answer = slack.fake.calls_to("response_url")[-1]
        assert "could not be attached" in _dump(answer)
        assert "/invite @postgate" in _dump(answer)


async def test_missing_files_scope_still_replies_and_says_the_chart_is_missing(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running_slack(database_url) as slack:
        slack.fake.fail_next("files.getUploadURLExternal", "missing_scope")
        answer = await _stats(slack)
        await slack.fake.settle(quiet=0.2)
        assert _upload_steps(slack) == ["files.getUploadURLExternal"]
        assert slack.fake.files == []
        assert answer.params["response_type"] == "ephemeral"
        reply = _dump(answer)
        assert "Social media KPIs" in reply, "the report itself still arrives"
        assert "The chart could not be attached" in reply
        assert "files:write" in reply
        assert "in your DMs" not in reply
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("missing_scope" in r.getMessage() for r in warnings)
    assert BOT_TOKEN not in caplog.text


async def test_kpi_digest_posts_the_report_then_the_chart_below_it(database_url: str) -> None:
    async with running_slack(database_url, SLACK_STEERING_CHANNEL=STEERING) as slack:
        platform = slack.platform
        ctx = Context(services=slack.services, port=platform.port, workspace=platform.workspace)
        ref = await post_kpi_digest(ctx)
        fake = slack.fake
        assert ref.channel == STEERING
        [posted] = fake.calls_to("chat.postMessage")
        assert posted.params["channel"] == STEERING
        assert "The chart is just below" in _dump(posted)
        methods = [c.method for c in fake.calls]
        assert methods.index("chat.postMessage") < methods.index("files.getUploadURLExternal")
        [shared] = fake.files
        assert (shared.channel, shared.thread_ts) == (STEERING, None)
        assert shared.content.startswith(PNG_SIGNATURE)
        assert fake.calls_to("chat.update") == []


async def test_a_refused_digest_chart_leaves_the_post_saying_it_is_missing(
    database_url: str,
) -> None:
    async with running_slack(database_url, SLACK_STEERING_CHANNEL=STEERING) as slack:
        platform = slack.platform
        ctx = Context(services=slack.services, port=platform.port, workspace=platform.workspace)
        slack.fake.fail_next("files.completeUploadExternal", "not_in_channel")
        ref = await post_kpi_digest(ctx)
        assert slack.fake.files == []
        [update] = slack.fake.calls_to("chat.update")
        assert (update.params["channel"], update.params["ts"]) == (ref.channel, ref.message_id)
        assert "The chart could not be attached" in _dump(update)
        assert "/invite @postgate" in _dump(update)
        assert "Social media KPIs" in _dump(update)


async def test_a_dm_with_a_file_carries_it_and_a_refused_dm_puts_it_in_the_thread(
    database_url: str,
) -> None:
    chart = Attachment("chart.png", PNG_SIGNATURE + b"rest", "image/png", "A chart")
    message = Message(title="Your weekly figures", attachments=(chart,))
    async with running_slack(database_url) as slack:
        port = slack.platform.port
        await port.notify(user_id=EDITOR, message=message)
        [dm_file] = slack.fake.files
        assert (dm_file.channel, dm_file.content) == (EDITOR_DM, chart.content)

        card = await port.post(channel=GENERAL, message=Message(title="A card"))
        slack.fake.fail_next("conversations.open", "cannot_dm_bot")
        await port.notify(user_id=EDITOR, message=message, about=card)
        thread_file = slack.fake.files[-1]
        assert (thread_file.channel, thread_file.thread_ts) == (GENERAL, card.message_id)
        assert len(slack.fake.files) == 2


def test_manifest_asks_for_the_scope_uploads_need() -> None:
    scopes = yaml.safe_load(manifest_yaml())["oauth_config"]["scopes"]["bot"]
    assert "files:write" in scopes
