"""The same happy path over Socket Mode: the app dials the fake's local websocket
(through apps.connections.open at SLACK_API_URL) and gets envelopes there."""

from __future__ import annotations

import json

from sqlalchemy import select

from storage.models import Proposal
from tests.fakes.slack_api import APP_ID, TEAM_ID
from tests.fakes.slack_harness import (
    APP_TOKEN,
    APPROVED,
    EDITORS,
    GENERAL,
    REVIEW,
    event_callback,
    reaction_event,
    running_slack,
)


async def test_propose_and_approve_over_socket_mode(database_url: str) -> None:
    async with running_slack(database_url, SLACK_APP_TOKEN=APP_TOKEN) as slack:
        fake = slack.fake
        assert slack.platform.http_port is None  # no HTTP server in Socket Mode
        [opened] = fake.calls_to("apps.connections.open")
        assert opened.token == APP_TOKEN
        await fake.wait_connected()

        envelope = await fake.send_envelope(
            type="slash_commands",
            payload={
                "team_id": TEAM_ID,
                "api_app_id": APP_ID,
                "user_id": "UMEMBER01",
                "user_name": "sam",
                "command": "/propose",
                "text": "Come and help at our street stall on Saturday morning.",
                "channel_id": GENERAL,
                "response_url": fake.response_url("socket"),
                "trigger_id": "1.t",
            },
        )
        ack = await fake.wait_ack(envelope)
        assert ack["envelope_id"] == envelope
        # The reply comes once the proposal and its card are stored.
        await fake.wait_calls("response_url")
        assert any(c.params["channel"] == REVIEW for c in fake.calls_to("chat.postMessage"))
        async with slack.services.db.session() as session:
            proposal = (await session.execute(select(Proposal))).scalars().one()
        assert proposal.workspace == f"slack:{TEAM_ID}"
        assert proposal.card_message_id

        event = reaction_event(
            user=EDITORS[0],
            emoji="white_check_mark",
            channel=REVIEW,
            ts=proposal.card_message_id,
        )
        envelope = await fake.send_envelope(
            type="events_api", payload=event_callback(event, event_id="EvSOCKET1")
        )
        await fake.wait_ack(envelope)
        await fake.wait_for(
            lambda calls: (
                any(
                    c.method == "chat.postMessage" and c.params["channel"] == APPROVED
                    for c in calls
                )
                and any(c.method == "chat.update" for c in calls)
                and any(c.method == "conversations.open" for c in calls)
            )
        )
        update = fake.calls_to("chat.update")[-1]
        assert update.params["ts"] == proposal.card_message_id
        [reply] = fake.calls_to("response_url")
        assert reply.params["response_type"] == "ephemeral"
        assert "street stall" in json.dumps(update.params["blocks"])
