"""Requests an attacker, a broken proxy or an unlucky member sends to the Slack app,
over real HTTP (and Socket Mode where it applies): each is routed right or refused
with one log line, never a traceback, never a 500, and a refusal changes nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

import pytest
from sqlalchemy import func, select

from storage.models import AuditEvent, Proposal
from tests.fakes.slack_api import APP_ID, TEAM_ID
from tests.fakes.slack_harness import (
    APP_TOKEN,
    EDITORS,
    GENERAL,
    REVIEW,
    SIGNING_SECRET,
    RunningSlack,
    event_callback,
    reaction_event,
    running_slack,
)

DRAFT = "Come and help at our payload of leaflets: the street stall on Saturday morning."
START_CALLS = ["auth.test", "bots.info"]
# bolt's own authorization reads auth.test on its first request: a read, nothing posted.
READS = {"auth.test", "bots.info"}


async def _count(slack: RunningSlack, model: type[object]) -> int:
    async with slack.services.db.session() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def _proposal_authors(slack: RunningSlack) -> list[tuple[str, str]]:
    async with slack.services.db.session() as session:
        rows = await session.execute(select(Proposal.workspace, Proposal.author_name))
        return [(str(w), str(a)) for w, a in rows]


def _signed(body: bytes, *, timestamp: str | None = None) -> dict[str, str]:
    """Slack's signature, computed on the raw bytes (the verifier only signs text)."""
    ts = timestamp or str(int(time.time()))
    base = b"v0:" + ts.encode() + b":" + body
    digest = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


# -- item 7: "payload" in a slash command -------------------------------------------------
@pytest.mark.parametrize(
    ("text", "user_name", "channel_name"),
    [
        (DRAFT, "pat", "general"),
        ("Come and help at the street stall on Saturday morning.", "payload.pat", "general"),
        ("Come and help at the street stall on Saturday morning.", "pat", "payloads"),
    ],
)
async def test_a_command_holding_the_word_payload_is_a_command(
    database_url: str, text: str, user_name: str, channel_name: str
) -> None:
    async with running_slack(database_url) as slack:
        status, _ = await slack.sender.command(
            text=text,
            user_id="UMEMBER01",
            user_name=user_name,
            channel_name=channel_name,
            response_url=slack.fake.response_url("payload"),
        )
        assert status == 200
        [answer] = await slack.fake.wait_calls("response_url")
        assert answer.params["response_type"] == "ephemeral"
        assert await _proposal_authors(slack) == [(f"slack:{TEAM_ID}", user_name)]
        assert any(c.params["channel"] == REVIEW for c in slack.fake.calls_to("chat.postMessage"))


async def test_over_socket_mode_the_word_payload_was_never_a_problem(database_url: str) -> None:
    # Socket Mode hands bolt the payload already parsed: nothing to mistake.
    async with running_slack(database_url, SLACK_APP_TOKEN=APP_TOKEN) as slack:
        await slack.fake.wait_connected()
        envelope = await slack.fake.send_envelope(
            type="slash_commands",
            payload={
                "team_id": TEAM_ID,
                "api_app_id": APP_ID,
                "user_id": "UMEMBER01",
                "user_name": "payload.pat",
                "channel_id": GENERAL,
                "channel_name": "payloads",
                "command": "/propose",
                "text": DRAFT,
                "response_url": slack.fake.response_url("socket"),
                "trigger_id": "1.t",
            },
        )
        await slack.fake.wait_ack(envelope)
        await slack.fake.wait_calls("response_url")
        assert await _proposal_authors(slack) == [(f"slack:{TEAM_ID}", "payload.pat")]


# -- item 11: junk, signed or not -----------------------------------------------------------
JUNK: list[tuple[str, bytes, dict[str, str], int]] = [
    ("unsigned JSON junk", b"{x", {}, 401),
    ("unsigned form", b"command=%2Fpropose&text=hi", {}, 401),
    ("a signature but no timestamp", b"{x", {"X-Slack-Signature": "v0=" + "0" * 64}, 401),
    (
        "a timestamp of abc",
        b"{x",
        {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=" + "0" * 64},
        401,
    ),
    (
        "a timestamp of five thousand digits",
        b"{x",
        {"X-Slack-Request-Timestamp": "9" * 5000, "X-Slack-Signature": "v0=" + "0" * 64},
        401,
    ),
    (
        "a wrong signature on bytes that are not UTF-8",
        b"\xff\xfe\x00junk",
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"},
        400,
    ),
]


@pytest.mark.parametrize(("what", "body", "headers", "status"), JUNK, ids=[j[0] for j in JUNK])
async def test_junk_gets_a_refusal_and_one_log_line(
    database_url: str,
    caplog: pytest.LogCaptureFixture,
    what: str,
    body: bytes,
    headers: dict[str, str],
    status: int,
) -> None:
    async with running_slack(database_url) as slack:
        caplog.set_level(logging.INFO)
        caplog.clear()
        assert slack.sender.session is not None
        async with slack.sender.session.post(slack.sender.url, data=body, headers=headers) as r:
            assert r.status == status, what
        await slack.fake.settle(quiet=0.2)
        logged = [r for r in caplog.records if r.levelno >= logging.INFO]
        assert len(logged) == 1, [r.getMessage() for r in logged]
        assert "refused a Slack request" in logged[0].getMessage()
        assert "Traceback" not in caplog.text
        assert [c.method for c in slack.fake.calls] == START_CALLS
        assert await _count(slack, Proposal) == 0


@pytest.mark.parametrize(
    ("what", "body", "content_type"),
    [
        ("JSON that does not parse", b"{x", "application/json"),
        ("JSON that is not an object", b'["event_callback"]', "application/json"),
        ("bytes that are not UTF-8", b"text=\xff\xfe&command=%2Fpropose", "text/plain"),
        ("an interaction whose payload is not JSON", b"payload=%7Bx", "text/plain"),
        ("JSON nested deeper than Python's stack", b"[" * 100_000, "application/json"),
    ],
)
async def test_signed_junk_is_a_400_and_one_log_line(
    database_url: str, caplog: pytest.LogCaptureFixture, what: str, body: bytes, content_type: str
) -> None:
    async with running_slack(database_url) as slack:
        caplog.set_level(logging.INFO)
        caplog.clear()
        assert slack.sender.session is not None
        headers = _signed(body) | {"Content-Type": content_type}
        async with slack.sender.session.post(slack.sender.url, data=body, headers=headers) as r:
            assert r.status == 400, what
        logged = [r for r in caplog.records if r.levelno >= logging.INFO]
        assert len(logged) == 1, [r.getMessage() for r in logged]
        assert "Traceback" not in caplog.text
        assert await _count(slack, Proposal) == 0


# -- item 12: another workspace, another app ------------------------------------------------
@pytest.mark.parametrize(
    ("team_id", "api_app_id"),
    [("TOTHERTEAM", APP_ID), (TEAM_ID, "AOTHERAPP1"), (TEAM_ID, "")],
)
async def test_a_signed_command_for_another_workspace_or_app_is_refused(
    database_url: str, caplog: pytest.LogCaptureFixture, team_id: str, api_app_id: str
) -> None:
    async with running_slack(database_url) as slack:
        caplog.set_level(logging.INFO)
        caplog.clear()
        status, _ = await slack.sender.command(
            text=DRAFT,
            user_id="UMEMBER01",
            team_id=team_id,
            api_app_id=api_app_id,
            response_url=slack.fake.response_url(),
        )
        assert status == 401
        await slack.fake.settle(quiet=0.2)
        assert {c.method for c in slack.fake.calls} <= READS
        assert await _count(slack, Proposal) == 0
        assert await _count(slack, AuditEvent) == 0
        logged = [r for r in caplog.records if r.levelno >= logging.INFO]
        assert len(logged) == 1, [r.getMessage() for r in logged]
        assert "refused a signed Slack request" in logged[0].getMessage()


@pytest.mark.parametrize(
    "change",
    [
        {"team_id": "TOTHERTEAM"},
        {"api_app_id": "AOTHERAPP1"},
        {"authorizations": [{"team_id": "TOTHERTEAM", "user_id": "UBOT0001", "is_bot": True}]},
    ],
)
async def test_a_signed_event_for_another_workspace_or_app_is_refused(
    database_url: str, change: dict[str, object]
) -> None:
    async with running_slack(database_url) as slack:
        event = event_callback(
            reaction_event(user=EDITORS[0], emoji="white_check_mark", channel=REVIEW, ts="1.2"),
            event_id="EvFOREIGN",
        )
        raw = json.dumps(event | change).encode()
        headers = _signed(raw) | {"Content-Type": "application/json"}
        assert slack.sender.session is not None
        async with slack.sender.session.post(slack.sender.url, data=raw, headers=headers) as r:
            assert r.status == 401
        await slack.fake.settle(quiet=0.2)
        assert {c.method for c in slack.fake.calls} <= READS
        assert await _count(slack, AuditEvent) == 0


async def test_over_socket_mode_another_workspace_changes_nothing(database_url: str) -> None:
    async with running_slack(database_url, SLACK_APP_TOKEN=APP_TOKEN) as slack:
        await slack.fake.wait_connected()
        command = {
            "team_id": "TOTHERTEAM",
            "api_app_id": APP_ID,
            "user_id": "UMEMBER01",
            "user_name": "sam",
            "channel_id": GENERAL,
            "command": "/propose",
            "text": DRAFT,
            "response_url": slack.fake.response_url("foreign"),
            "trigger_id": "1.t",
        }
        await slack.fake.send_envelope(type="slash_commands", payload=command)
        ours = await slack.fake.send_envelope(
            type="slash_commands",
            payload=command | {"team_id": TEAM_ID, "response_url": slack.fake.response_url("ours")},
        )
        await slack.fake.wait_ack(ours)
        [answer] = await slack.fake.wait_calls("response_url")
        assert answer.params["key"] == "ours"
        assert await _proposal_authors(slack) == [(f"slack:{TEAM_ID}", "sam")]
