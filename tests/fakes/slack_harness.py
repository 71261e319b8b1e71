"""Run the real Slack platform against the fake Slack, and talk to it as Slack does:
signed form-encoded slash commands and signed JSON event callbacks over HTTP."""

from __future__ import annotations

import contextlib
import json
import socket
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bot.assembly import build_services
from bot.platforms.slack.platform import SlackPlatform, create_platform
from bot.settings import Settings, load_settings
from handlers.context import Services
from tests.fakes.slack_api import APP_ID, TEAM_ID, FakeSlack

BOT_TOKEN = "xoxb-test-0000-SECRETBOTTOKEN"
APP_TOKEN = "xapp-test-0000-SECRETAPPTOKEN"
SIGNING_SECRET = "test-signing-secret-0123456789"
REVIEW = "CREVIEW01"
APPROVED = "CAPPROVED1"
GENERAL = "CGENERAL01"
EDITORS = ("UEDITOR01", "UEDITOR02")
STEERING_GROUP = "SSTEERING1"
STEERING_MEMBERS = ("UCHAIR001",)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SlackSender:
    """Sends what Slack would send to `/slack/events`, signed unless told otherwise."""

    url: str
    secret: str = SIGNING_SECRET
    session: aiohttp.ClientSession | None = None

    def headers(
        self, body: str, *, timestamp: int | None = None, signature: str | None = None
    ) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sig = signature or SignatureVerifier(self.secret).generate_signature(
            timestamp=ts, body=body
        )
        assert sig is not None
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}

    async def post(self, body: str, headers: Mapping[str, str]) -> tuple[int, str]:
        assert self.session is not None
        async with self.session.post(self.url, data=body.encode(), headers=dict(headers)) as r:
            return r.status, await r.text()

    async def command(
        self,
        *,
        text: str,
        user_id: str,
        user_name: str = "",
        command: str = "/propose",
        channel_id: str = GENERAL,
        channel_name: str = "general",
        team_id: str = TEAM_ID,
        api_app_id: str = APP_ID,
        response_url: str = "",
        trigger_id: str = "",
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> tuple[int, str]:
        body = urlencode(
            {
                "token": "legacy-verification-token",
                "team_id": team_id,
                "team_domain": "postgate-test",
                "channel_id": channel_id,
                "channel_name": channel_name,
                "user_id": user_id,
                "user_name": user_name or user_id.lower(),
                "command": command,
                "text": text,
                "api_app_id": api_app_id,
                "response_url": response_url,
                "trigger_id": trigger_id or f"{uuid.uuid4().int % 10**10}.trigger",
            }
        )
        headers = self.headers(body, timestamp=timestamp, signature=signature)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return await self.post(body, headers)

    async def event(
        self,
        event: Mapping[str, Any],
        *,
        event_id: str,
        retry_num: int | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> tuple[int, str]:
        body = json.dumps(event_callback(event, event_id=event_id))
        headers = self.headers(body, timestamp=timestamp, signature=signature)
        headers["Content-Type"] = "application/json"
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return await self.post(body, headers)

    async def interaction(self, payload: Mapping[str, Any]) -> tuple[int, str]:
        body = urlencode({"payload": json.dumps(payload)})
        headers = self.headers(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return await self.post(body, headers)

    async def submit_form(
        self, view: dict[str, Any], *, text: str, user_id: str = "UMEMBER01", name: str = "sam"
    ) -> tuple[int, str]:
        """A member submits the form postgate opened (`view`), having typed `text`."""
        view["state"] = {"values": {"draft": {"text": {"type": "plain_text_input", "value": text}}}}
        return await self.interaction(
            {
                "type": "view_submission",
                "team": {"id": TEAM_ID},
                "api_app_id": APP_ID,
                "user": {"id": user_id, "name": name, "team_id": TEAM_ID},
                "view": view,
            }
        )


def event_callback(event: Mapping[str, Any], *, event_id: str) -> dict[str, Any]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": TEAM_ID, "user_id": "UBOT0001", "is_bot": True, "enterprise_id": None}
        ],
    }


def reaction_event(
    *, user: str, emoji: str, channel: str, ts: str, added: bool = True
) -> dict[str, Any]:
    return {
        "type": "reaction_added" if added else "reaction_removed",
        "user": user,
        "reaction": emoji,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "item_user": "UBOT0001",
        "event_ts": f"{time.time():.6f}",
    }


@dataclass
class RunningSlack:
    fake: FakeSlack
    platform: SlackPlatform
    settings: Settings
    services: Services
    sender: SlackSender


def slack_settings(fake: FakeSlack, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "POSTGATE_PORT": free_port(),
        "SLACK_REVIEW_CHANNEL": REVIEW,
        "SLACK_APPROVED_CHANNEL": APPROVED,
        "SLACK_EDITORS": ",".join(EDITORS),
        "SLACK_STEERING_GROUP": STEERING_GROUP,
    }
    values.update(overrides)
    return load_settings(**values)


@asynccontextmanager
async def running_slack(
    database_url: str, *, fake: FakeSlack | None = None, **overrides: object
) -> AsyncIterator[RunningSlack]:
    """The platform started as the runtime starts it, in HTTP mode unless
    `SLACK_APP_TOKEN` is among the overrides; stopped (and its work drained) after.
    Against `fake` when given (a restart), else a fake Slack of its own."""
    async with contextlib.AsyncExitStack() as stack:
        if fake is None:
            fake = await stack.enter_async_context(
                FakeSlack(usergroups={STEERING_GROUP: STEERING_MEMBERS})
            )
        settings = slack_settings(fake, database_url, **overrides)
        services = build_services(settings)
        platform = create_platform(settings, services, host="127.0.0.1")
        assert isinstance(platform, SlackPlatform)
        await platform.start()
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
                sender = SlackSender(
                    f"http://127.0.0.1:{platform.http_port}/slack/events", session=session
                )
                yield RunningSlack(fake, platform, settings, services, sender)
        finally:
            await platform.stop()
            await services.db.dispose()
