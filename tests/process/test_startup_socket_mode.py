"""Socket Mode needs no signing secret (docs/slack.md): the real `postgate run` with
the bot and app tokens and no SLACK_SIGNING_SECRET connects to the fake Slack's
Socket Mode, takes a /propose there, and stops cleanly; `postgate doctor` agrees."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.slack_api import APP_ID, TEAM_ID, FakeSlack
from tests.fakes.slack_harness import APP_TOKEN, BOT_TOKEN, EDITORS, GENERAL, REVIEW
from tests.process.test_doctor import doctor, failures
from tests.process.test_standby import Child
from tests.process_support import child_env


async def test_socket_mode_starts_without_the_signing_secret(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        env = child_env(f"sqlite:///{tmp_path / 'postgate.db'}")
        env.update(
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_APP_TOKEN": APP_TOKEN,
                "SLACK_API_URL": fake.api_url,
                "SLACK_REVIEW_CHANNEL": REVIEW,
                "SLACK_EDITORS": ",".join(EDITORS),
            }
        )
        assert "SLACK_SIGNING_SECRET" not in env

        child = await Child.start(env, tmp_path)
        try:
            await child.wait_line("Slack Socket Mode connected")
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
            await fake.wait_ack(envelope)
            await fake.wait_calls("response_url")
            assert any(c.params["channel"] == REVIEW for c in fake.calls_to("chat.postMessage"))
            await child.stop_cleanly()
        finally:
            child.kill()

        code, out = await doctor(env, tmp_path)
    assert code == 0, out
    assert failures(out) == [], out
    assert "✓ SLACK_APP_TOKEN: Socket Mode can connect" in out
