"""`postgate doctor`, the real process, against the fake Slack and the fake Discord:
every item ✓ and exit 0 on a healthy set-up; each broken one named with its fix, exit 1."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command

from handlers.commands.registry import all_commands
from storage.migrate import alembic_config, upgrade
from tests.fakes import discord_server as fd
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.slack_api import FakeSlack
from tests.process_support import child_env, postgate_command

EDITORS = ("UEDITOR1", "UEDITOR2")


@pytest.fixture
def sqlite_database(tmp_path: Path) -> str:
    """One migrated SQLite file: the platform checks are the same on either backend."""
    url = f"sqlite:///{tmp_path / 'postgate.db'}"
    upgrade(url)
    return url


async def doctor(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *postgate_command("doctor"),
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert b"Traceback" not in err, err.decode()
    assert process.returncode is not None
    return process.returncode, out.decode() + err.decode()


def failures(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("✗")]


async def test_a_healthy_local_set_up(database_url: str, tmp_path: Path) -> None:
    code, out = await doctor(child_env(database_url), tmp_path)
    assert code == 0, out
    assert failures(out) == []
    assert "✓ database" in out and "schema current" in out
    assert "✓ guidance and policy" in out
    assert "all good" in out


async def test_a_database_behind_the_migrations(database_url: str, tmp_path: Path) -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0005")
    code, out = await doctor(child_env(database_url), tmp_path)
    assert code == 1
    [failure] = failures(out)
    assert failure.startswith("✗ database schema at 0005, this postgate needs ")  # the head
    assert "postgate db upgrade" in out


async def test_a_database_that_cannot_be_reached(tmp_path: Path) -> None:
    env = child_env("postgresql+psycopg://postgate@127.0.0.1:1/postgate")
    code, out = await doctor(env, tmp_path)
    assert code == 1
    assert failures(out) == ["✗ DATABASE_URL: cannot reach PostgreSQL at 127.0.0.1:1"]


async def test_a_fresh_database_and_a_broken_policy(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("rules: [", encoding="utf-8")
    env = child_env(f"sqlite:///{tmp_path / 'new.db'}")
    env["POSTGATE_POLICY"] = str(policy)
    code, out = await doctor(env, tmp_path)
    assert code == 1
    # A fresh database is no fault: run makes its tables. Only the policy fails.
    assert "! database sqlite:///" in out and "no postgate tables yet" in out, out
    assert "postgate run makes them when it starts" in out, out
    [wrong] = failures(out)
    assert wrong.startswith("✗ guidance and policy:") and "policy.yaml" in wrong
    assert not (tmp_path / "new.db").exists()  # doctor changes nothing


# -- Slack -------------------------------------------------------------------------------


def slack_env(fake: FakeSlack, sqlite_database: str) -> dict[str, str]:
    env = child_env(sqlite_database)
    env.update(
        {
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": "secret",
            "SLACK_API_URL": fake.api_url,
            "SLACK_REVIEW_CHANNEL": "CREVIEW",
            "SLACK_APPROVED_CHANNEL": "CAPPROVED",
            "SLACK_EDITORS": ",".join(EDITORS),
        }
    )
    return env


async def test_a_healthy_slack(sqlite_database: str, tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        code, out = await doctor(slack_env(fake, sqlite_database), tmp_path)
    assert code == 0, out
    assert "✓ Slack: the bot token works" in out
    assert "✓ Slack: the app has every scope the manifest asks for" in out
    assert "✓ SLACK_REVIEW_CHANNEL: the bot is in #creview" in out
    assert "✓ SLACK_EDITORS: UEDITOR2 is ueditor2" in out
    # Two editors: one's own blocked post could never get the other two approvals it needs.
    assert "! SLACK_EDITORS: an overrule of a block needs 2 editor approvals" in out
    assert "all good, 1 to look at" in out


@pytest.mark.parametrize(
    ("editors", "settings", "says"),
    [
        (("U1", "U2", "U3"), {}, "✓ SLACK_EDITORS: 3 editors, enough for every approval"),
        (("U1",), {}, "! SLACK_EDITORS: a post needs 1 editor approval, so an editor's own"),
        (
            ("U1", "U2"),
            {"POSTGATE_APPROVALS_REQUIRED": "3"},
            "✗ SLACK_EDITORS: a post needs 3 editor approvals and there are only 2 editors",
        ),
        (
            ("U1", "U2", "U3"),
            {"POSTGATE_APPROVALS_REQUIRED": "3", "POSTGATE_OVERRULE_APPROVALS": "1"},
            "! POSTGATE_OVERRULE_APPROVALS is 1, fewer than the 3 of "
            "POSTGATE_APPROVALS_REQUIRED, so an overrule needs 3 too",
        ),
    ],
    ids=["enough", "one editor", "fewer than a post needs", "overrule below a post"],
)
async def test_slack_editors_enough_for_the_approvals(
    editors: tuple[str, ...],
    settings: dict[str, str],
    says: str,
    sqlite_database: str,
    tmp_path: Path,
) -> None:
    async with FakeSlack() as fake:
        env = slack_env(fake, sqlite_database) | settings | {"SLACK_EDITORS": ",".join(editors)}
        code, out = await doctor(env, tmp_path)
    assert says in out, out
    assert code == (1 if says.startswith("✗") else 0)
    if not says.startswith(("✓", "! POSTGATE_OVERRULE")):
        assert "fix: add editors to SLACK_EDITORS, or set POSTGATE_" in out


def _outside(fake: FakeSlack) -> None:
    fake.outside_channels.add("CAPPROVED")


def _no_such_channel(fake: FakeSlack) -> None:
    fake.missing_channels.add("CREVIEW")


def _unknown_editor(fake: FakeSlack) -> None:
    fake.missing_users.add("UEDITOR2")


def _too_few_scopes(fake: FakeSlack) -> None:
    fake.scopes = ("commands", "chat:write")


def _bad_token(fake: FakeSlack) -> None:
    fake.fail_next("auth.test", "invalid_auth")


def _outage(fake: FakeSlack) -> None:
    fake.fail_http("auth.test", 503)


@pytest.mark.parametrize(
    ("breakage", "named", "fix"),
    [
        (_outside, "✗ SLACK_APPROVED_CHANNEL: the bot is not in #capproved", "/invite @postgate"),
        (_no_such_channel, "✗ SLACK_REVIEW_CHANNEL: Slack has no channel CREVIEW", "starts with C"),
        (_unknown_editor, "✗ SLACK_EDITORS: Slack has no user UEDITOR2", "member id"),
        (_too_few_scopes, "✗ Slack: the app lacks the scopes reactions:read", "reinstall"),
        (_bad_token, "✗ SLACK_BOT_TOKEN: Slack refused the bot token (invalid_auth)", "xoxb-"),
        (_outage, "✗ SLACK_API_URL: Slack's auth.test failed (HTTP 503)", "try again"),
    ],
    ids=["not in channel", "no such channel", "unknown editor", "scopes", "token", "outage"],
)
async def test_a_broken_slack(
    breakage: Callable[[FakeSlack], None],
    named: str,
    fix: str,
    sqlite_database: str,
    tmp_path: Path,
) -> None:
    async with FakeSlack() as fake:
        breakage(fake)
        code, out = await doctor(slack_env(fake, sqlite_database), tmp_path)
    assert code == 1
    wrong = failures(out)
    assert len(wrong) == 1 and wrong[0].startswith(named), out
    assert fix in out.split(wrong[0], 1)[1].splitlines()[1]


@pytest.mark.parametrize(
    ("app_token", "refusal", "says"),
    [
        ("xapp-1-good", None, "✓ SLACK_APP_TOKEN: Socket Mode can connect"),
        (
            "xapp-1-revoked",
            "invalid_auth",
            "✗ SLACK_APP_TOKEN: Slack refused it for Socket Mode (invalid_auth)",
        ),
        ("xoxb-pasted-twice", None, "✗ SLACK_APP_TOKEN: it starts xoxb-, and an app-level"),
    ],
    ids=["app token", "refused app token", "bot token pasted as app token"],
)
async def test_slack_socket_mode_token(
    app_token: str, refusal: str | None, says: str, sqlite_database: str, tmp_path: Path
) -> None:
    async with FakeSlack() as fake:
        if refusal is not None:
            fake.fail_next("apps.connections.open", refusal)
        env = slack_env(fake, sqlite_database)
        env["SLACK_APP_TOKEN"] = app_token
        code, out = await doctor(env, tmp_path)
    assert says in out, out
    assert code == (0 if says.startswith("✓") else 1), out


async def test_a_voting_emoji_postgate_does_not_know_may_be_the_workspace_s_own(
    sqlite_database: str, tmp_path: Path
) -> None:
    async with FakeSlack() as fake:
        env = slack_env(fake, sqlite_database) | {"POSTGATE_APPROVE_EMOJI": ":Labour_Rose:,✅"}
        code, out = await doctor(env, tmp_path)
    assert code == 0, out  # kept: only the workspace knows its own emoji
    assert "! POSTGATE_APPROVE_EMOJI: labour_rose is not an emoji postgate knows" in out
    assert "white_check_mark is not" not in out


# Set-up mistakes found without asking Slack: `run` stops on each with one line, and
# doctor shows that line as its ✗ and fix (the two share the checks).
OFFLINE = {
    "emoji that is no emoji name": {"POSTGATE_APPROVE_EMOJI": "big tick"},
    "one emoji for two votes": {"POSTGATE_APPROVE_EMOJI": "✅", "POSTGATE_CHANGES_EMOJI": "memo"}
    | {"POSTGATE_REJECT_EMOJI": ":White_Check_Mark:"},
    "channel name": {"SLACK_REVIEW_CHANNEL": "#review"},
    "editor's name": {"SLACK_EDITORS": "@jane"},
    "swapped tokens": {"SLACK_BOT_TOKEN": "xapp-1-a", "SLACK_APP_TOKEN": "xoxb-1-b"},
    "@ in the password": {
        "DATABASE_URL": "postgresql+psycopg://postgate:p@ss@localhost:5432/postgate"
    },
}


@pytest.mark.parametrize("bad", OFFLINE.values(), ids=OFFLINE.keys())
async def test_doctor_and_run_say_the_same_of_a_set_up_mistake(
    bad: dict[str, str], sqlite_database: str, tmp_path: Path
) -> None:
    async with FakeSlack() as fake:
        env = slack_env(fake, sqlite_database) | bad
        code, out = await doctor(env, tmp_path)
        asked = len(fake.calls_to("auth.test"))
        run = await asyncio.create_subprocess_exec(
            *postgate_command("run"),
            env=env,
            cwd=tmp_path,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(run.communicate(), timeout=60)
        # run found it before asking Slack anything (doctor goes on to check the rest)
        assert len(fake.calls_to("auth.test")) == asked
    assert (code, run.returncode) == (1, 2), (out, err)
    [line] = err.decode().splitlines()
    problem, _, fix = line.removeprefix("postgate: ").partition("; ")
    assert failures(out)[0] == f"✗ {problem}", out
    assert f"✗ {problem}\n    fix: {fix}\n" in out


async def test_a_slack_steering_group_on_the_free_plan(
    sqlite_database: str, tmp_path: Path
) -> None:
    async with FakeSlack() as fake:
        fake.fail_next("usergroups.users.list", "paid_teams_only")
        env = slack_env(fake, sqlite_database)
        env["SLACK_STEERING_GROUP"] = "SSTEER"
        code, out = await doctor(env, tmp_path)
    assert code == 1
    assert failures(out) == ["✗ SLACK_STEERING_GROUP: Slack refused SSTEER (paid_teams_only)"]
    assert "SLACK_STEERING_USERS" in out


# -- Discord -----------------------------------------------------------------------------


def discord_env(fake: FakeDiscord, sqlite_database: str) -> dict[str, str]:
    env = child_env(sqlite_database)
    env.update(
        {
            "DISCORD_TOKEN": fake.token,
            "DISCORD_API_URL": fake.api_url,
            "DISCORD_GATEWAY_URL": fake.gateway_url,
            "DISCORD_GUILD_ID": str(fd.GUILD_ID),
            "DISCORD_REVIEW_CHANNEL": str(fd.REVIEW_CHANNEL),
            "DISCORD_APPROVED_CHANNEL": str(fd.APPROVED_CHANNEL),
            "DISCORD_EDITOR_ROLE": str(fd.EDITOR_ROLE),
        }
    )
    return env


def synced(fake: FakeDiscord) -> None:
    fake.commands = [
        fake._registered({"name": spec.name, "description": spec.summary, "type": 1})
        for spec in all_commands()
    ]


async def test_a_healthy_discord(sqlite_database: str, tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        synced(fake)
        code, out = await doctor(discord_env(fake, sqlite_database), tmp_path)
    assert code == 0, out
    assert "✓ Discord: the token works" in out
    assert "✓ DISCORD_GUILD_ID: the bot is in Test CLP" in out
    assert "✓ DISCORD_REVIEW_CHANNEL: the bot sees #review" in out
    assert "✓ DISCORD_EDITOR_ROLE: @editors" in out
    assert "✓ Discord: every command is synced to the server" in out


@pytest.mark.parametrize(
    ("env_change", "breakage", "named", "fix"),
    [
        ({"DISCORD_TOKEN": "wrong"}, None, "✗ DISCORD_TOKEN: Discord refused the token", "reset"),
        (
            {"DISCORD_GUILD_ID": "123"},
            None,
            "✗ DISCORD_GUILD_ID: the bot is not in a server",
            "invite",
        ),
        ({}, "hidden", "✗ DISCORD_APPROVED_CHANNEL: the bot cannot see channel", "View Channel"),
        (
            {"DISCORD_EDITOR_ROLE": "999"},
            None,
            "✗ DISCORD_EDITOR_ROLE: Test CLP has no role 999",
            "Copy Role ID",
        ),
        ({}, "unsynced", "✗ Discord: commands not synced to the server: /guidance", "postgate run"),
    ],
    ids=["token", "guild", "channel", "role", "commands"],
)
async def test_a_broken_discord(
    env_change: dict[str, str],
    breakage: str | None,
    named: str,
    fix: str,
    sqlite_database: str,
    tmp_path: Path,
) -> None:
    async with FakeDiscord() as fake:
        if breakage != "unsynced":
            synced(fake)
        if breakage == "hidden":
            fake.hidden_channels.add(fd.APPROVED_CHANNEL)
        env = discord_env(fake, sqlite_database)
        env.update(env_change)
        code, out = await doctor(env, tmp_path)
    assert code == 1
    wrong = failures(out)
    assert len(wrong) == 1 and wrong[0].startswith(named), out
    assert fix in out.split(wrong[0], 1)[1].splitlines()[1]
