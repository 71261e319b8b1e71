"""Faults from outside, each with the real platform running: the database's
connections killed between deliveries (a PostgreSQL restart, a failover), and a
Discord REST 5xx. Nothing is lost and nothing is doubled."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from storage.models import Proposal
from tests.fakes.discord_server import REVIEW_CHANNEL
from tests.fakes.slack_harness import REVIEW, running_slack
from tests.platforms.discord.test_flow import DRAFT, FakeDiscord, propose, running, settings_for
from tests.platforms.discord.test_read_back import fake  # noqa: F401 - the fixture

STALL = "Come and help at our street stall on Saturday morning in the town square."


def kill_every_connection(url: str) -> int:
    """Terminate every other connection to the database, as a restart of PostgreSQL
    would; how many."""
    admin = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    return int(row[0]) if row else 0


async def test_killed_database_connections_lose_nothing(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has no server connection to lose")
    async with running_slack(database_url) as slack:
        status, _ = await slack.sender.command(text=STALL, user_id="UMEMBER01")
        assert status == 200
        await slack.fake.wait_calls("chat.postMessage", 1)
        assert kill_every_connection(database_url) > 0

        status, _ = await slack.sender.command(text=STALL + " Bring a flask.", user_id="UMEMBER01")
        assert status == 200
        await slack.fake.wait_for(
            lambda calls: (
                len(
                    [
                        c
                        for c in calls
                        if c.method == "chat.postMessage" and c.params["channel"] == REVIEW
                    ]
                )
                == 2
            )
        )
        async with slack.services.db.session() as session:
            assert await session.scalar(select(func.count()).select_from(Proposal)) == 2


async def test_a_discord_5xx_on_the_card_is_retried_and_posts_one_card(
    fake: FakeDiscord,  # noqa: F811
    database_url: str,
) -> None:
    async with running(settings_for(fake, database_url)):
        fake.fail_next("POST", rf"/channels/{REVIEW_CHANNEL}/messages", 500)
        card = await propose(fake, DRAFT)  # exactly one card
        assert fake.channel_messages(REVIEW_CHANNEL) == [card]
        tries = fake.calls_to("POST", rf"/channels/{REVIEW_CHANNEL}/messages")
        assert len(tries) == 2  # the 500, then discord.py's retry
