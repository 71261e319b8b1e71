"""Bearer values never reach the log, even at DEBUG, whichever library logs them."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot import log_redaction
from bot.log_redaction import REDACTED, install_log_redaction, redact
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.slack_harness import BOT_TOKEN, SIGNING_SECRET, running_slack
from tests.platforms.discord.test_flow import PAT, TOKEN, running, settings_for

RESPONSE_KEY = "k3yOfTheResponseUrl0123"


@pytest.fixture
def redaction() -> Iterator[None]:
    before = logging.getLogRecordFactory()
    install_log_redaction(secrets=[BOT_TOKEN, SIGNING_SECRET, TOKEN])
    yield
    logging.setLogRecordFactory(before)
    log_redaction._known.clear()


@pytest.mark.parametrize(
    ("logged", "secret"),
    [
        ("url: https://hooks.slack.com/commands/T0001/1234567890/AbCdEf123", "AbCdEf123"),
        ('{"response_url":"https:\\/\\/hooks.slack.com\\/commands\\/T1\\/2\\/Zz9"}', "Zz9"),
        ("response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1%2F2%2FQq7&x=1", "Qq7"),
        ("POST http://127.0.0.1:9/commands/T1/77/Tok3n: ok", "Tok3n"),
        ("{'token': 'aW50ZXJhY3Rpb246MTIz', 'type': 2}", "aW50ZXJhY3Rpb246MTIz"),
        ("POST https://discord.com/api/v10/interactions/12/aW50Zx/callback", "aW50Zx"),
        ("POST https://discord.com/api/v10/webhooks/34/aW50Zy/messages/@original", "aW50Zy"),
        ("token xoxb-1111-2222-abcdEFGH and xapp-1-A1-22-ff", "xoxb-1111"),
        ("{'Authorization': 'Bot MTIzNDU2.abc.defghijk'}", "MTIzNDU2"),
        ("client_secret=s3cr3tvalue&code=1", "s3cr3tvalue"),
        ("postgresql+psycopg://postgate:hunter2pass@db.example:5432/postgate", "hunter2pass"),
    ],
)
def test_each_shape_of_bearer_value_is_redacted(logged: str, secret: str) -> None:
    shown = redact(logged)
    assert secret not in shown
    assert REDACTED in shown


def test_ordinary_text_is_left_alone() -> None:
    text = "POST /slack/events 200; proposal 12 approved by UEDITOR01 in CREVIEW01"
    assert redact(text) == text


@pytest.mark.usefixtures("redaction")
def test_configured_secrets_are_redacted_in_messages_args_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("slack_sdk.web.async_base_client")  # a child of a library's logger
    log.debug("sending with %s", {"secret": SIGNING_SECRET, "bot": BOT_TOKEN})
    try:
        raise RuntimeError(f"request to /webhooks/1/{RESPONSE_KEY} failed ({TOKEN})")
    except RuntimeError:
        logging.getLogger("discord.webhook.async_").exception("follow-up failed")
    for secret in (SIGNING_SECRET, BOT_TOKEN, TOKEN, RESPONSE_KEY):
        assert secret not in caplog.text
    assert caplog.text.count(REDACTED) >= 4


@pytest.mark.usefixtures("redaction")
async def test_slack_response_url_is_not_logged_at_debug(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running_slack(database_url) as slack:
        response_url = slack.fake.response_url(RESPONSE_KEY)
        status, _ = await slack.sender.command(
            command="/help", text="", user_id="UMEMBER01", response_url=response_url
        )
        assert status == 200
        await slack.fake.wait_calls("response_url")
    assert "Sending a request - url:" in caplog.text  # slack_sdk did log the post at DEBUG
    for secret in (RESPONSE_KEY, BOT_TOKEN, SIGNING_SECRET):
        assert secret not in caplog.text


@pytest.mark.usefixtures("redaction")
async def test_discord_interaction_token_is_not_logged_at_debug(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with FakeDiscord(token=TOKEN) as fake:
        fake.add_member(PAT, "Pat", roles=[])
        async with running(settings_for(fake, database_url)):
            payload = await fake.slash_command("help", user_id=PAT)
            await fake.wait_for(lambda: fake.callbacks.get(int(payload["id"])))
    assert "INTERACTION_CREATE" in caplog.text  # discord.py did log the payload at DEBUG
    for secret in (payload["token"], TOKEN):
        assert secret not in caplog.text
