"""Every bad configuration stops the real `postgate` process with one line on stderr,
naming the setting and the fix, exit 2, and no traceback (DESIGN.md: configuration
errors). The traceback shows only at POSTGATE_LOG_LEVEL=DEBUG."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.settings import Settings, load_settings
from tests.databases import PG_ENV
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.slack_api import FakeSlack
from tests.process_support import child_env, postgate_command, run_postgate

SLACK_OK = {
    "SLACK_BOT_TOKEN": "xoxb-test",
    "SLACK_SIGNING_SECRET": "secret",
    "SLACK_REVIEW_CHANNEL": "CREVIEW",
    "SLACK_EDITORS": "UEDITOR",
}
DISCORD_OK = {
    "DISCORD_TOKEN": "token",
    "DISCORD_GUILD_ID": "1",
    "DISCORD_REVIEW_CHANNEL": "2",
    "DISCORD_EDITOR_ROLE": "3",
}


@dataclass(frozen=True)
class Case:
    name: str
    env: dict[str, str]
    says: tuple[str, ...]  # each must be in the one line
    args: tuple[str, ...] = ("run",)
    extra: dict[str, str] = field(default_factory=dict)
    forbids: tuple[str, ...] = ()  # none of these may be in the line


def _pg_missing_database() -> str:
    base = os.environ.get(PG_ENV)
    if not base:
        return ""
    return make_url(base).set(database="postgate_no_such_db").render_as_string(hide_password=False)


CASES = [
    Case(
        "unreachable PostgreSQL",
        {"DATABASE_URL": "postgresql+psycopg://postgate@127.0.0.1:1/postgate"},
        ("DATABASE_URL", "cannot reach PostgreSQL at 127.0.0.1:1", "start the server"),
    ),
    Case(
        "SQLite in a folder that does not exist",
        {"DATABASE_URL": "sqlite:////nonexistent/dir/x.db"},
        ("DATABASE_URL", "/nonexistent/dir", "does not exist", "mkdir"),
    ),
    Case(
        "MySQL",
        {"DATABASE_URL": "mysql://user:pw@localhost/postgate"},
        ("DATABASE_URL", "not mysql", "postgresql+psycopg://"),
    ),
    Case(
        "garbage URL",
        {"DATABASE_URL": "not a url at all"},
        ("DATABASE_URL", "not a database URL", "postgresql+psycopg://"),
    ),
    Case(
        "unknown log level",
        {"POSTGATE_LOG_LEVEL": "LOUD"},
        ("POSTGATE_LOG_LEVEL", "'LOUD'", "DEBUG, INFO, WARNING, ERROR"),
    ),
    Case(
        "a word for a number",
        {"POSTGATE_APPROVALS_REQUIRED": "two"},
        ("POSTGATE_APPROVALS_REQUIRED", "'two'", "whole number"),
        forbids=("Discord",),
    ),
    Case(
        "a file path for a database URL",
        {"DATABASE_URL": "/tmp/postgate.db"},
        ("DATABASE_URL", "not a database URL", "sqlite:///"),
    ),
    Case(
        "policy file missing",
        {"POSTGATE_POLICY": "/nowhere/policy.yaml"},
        ("POSTGATE_POLICY", "/nowhere/policy.yaml"),
    ),
    Case(
        "unknown timezone",
        {"POSTGATE_TIMEZONE": "Mars/Olympus_Mons"},
        ("POSTGATE_TIMEZONE", "Europe/London"),
    ),
    Case(
        "guidance file missing",
        {"POSTGATE_GUIDANCE": "/nowhere/guidance.md"},
        ("POSTGATE_GUIDANCE", "/nowhere/guidance.md"),
    ),
    Case(
        "Slack token without a signing secret or app token",
        {**SLACK_OK, "SLACK_SIGNING_SECRET": ""},
        ("SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "Basic Information"),
    ),
    Case(
        "Slack without its review channel and editors",
        {**SLACK_OK, "SLACK_REVIEW_CHANNEL": "", "SLACK_EDITORS": ""},
        ("SLACK_REVIEW_CHANNEL and SLACK_EDITORS", "not set"),
    ),
    Case(
        "Slack without editors",
        {**SLACK_OK, "SLACK_EDITORS": ""},
        ("SLACK_EDITORS", "not set"),
    ),
    Case(
        "Discord token without a guild id",
        {**DISCORD_OK, "DISCORD_GUILD_ID": ""},
        ("DISCORD_GUILD_ID", "Copy Server ID"),
    ),
    Case(
        "Discord without its review channel",
        {**DISCORD_OK, "DISCORD_REVIEW_CHANNEL": ""},
        ("DISCORD_REVIEW_CHANNEL", "not set"),
    ),
    Case(
        "a Discord id that is not a number",
        {**DISCORD_OK, "DISCORD_GUILD_ID": "our server"},
        ("DISCORD_GUILD_ID", "'our server'", "whole number"),
    ),
    Case(
        "an approve emoji that is no emoji name",
        {"POSTGATE_APPROVE_EMOJI": "big tick"},
        ("POSTGATE_APPROVE_EMOJI", "'big tick' is not an emoji name", "white_check_mark", "itself"),
    ),
    Case(
        "one emoji to approve and to reject, written two ways",
        {"POSTGATE_APPROVE_EMOJI": "thumbsup", "POSTGATE_REJECT_EMOJI": "👍,x"},
        ("POSTGATE_APPROVE_EMOJI and POSTGATE_REJECT_EMOJI", "both have +1", "approve and reject"),
    ),
    Case(
        "one emoji to reject and to ask for changes, in the local workspace too",
        {"POSTGATE_CHANGES_EMOJI": ":x:"},
        ("POSTGATE_REJECT_EMOJI and POSTGATE_CHANGES_EMOJI", "both have x", "take x out"),
        args=("run", "--local"),
    ),
    Case(
        "a channel's name for its id",
        {**SLACK_OK, "SLACK_REVIEW_CHANNEL": "#review"},
        ("SLACK_REVIEW_CHANNEL", "'#review' is a channel's name, not its id", "starts with C"),
    ),
    Case(
        "the approved channel by name without the #",
        {**SLACK_OK, "SLACK_APPROVED_CHANNEL": "approved-posts"},
        ("SLACK_APPROVED_CHANNEL", "'approved-posts' is not a channel id", "About tab"),
    ),
    Case(
        "an editor by @name",
        {**SLACK_OK, "SLACK_EDITORS": "UEDITOR,@jane"},
        ("SLACK_EDITORS", "'@jane' is a name, not a member id", "Copy member ID"),
    ),
    Case(
        "a proposer by name",
        {**SLACK_OK, "SLACK_PROPOSERS": "jane"},
        ("SLACK_PROPOSERS", "'jane' is not a member id", "starts with U"),
    ),
    Case(
        "a steering member by @name",
        {**SLACK_OK, "SLACK_STEERING_USERS": "@chair"},
        ("SLACK_STEERING_USERS", "'@chair' is a name"),
    ),
    Case(
        "the steering group by its handle",
        {**SLACK_OK, "SLACK_STEERING_GROUP": "@steering"},
        ("SLACK_STEERING_GROUP", "'@steering' is not a user group id", "S..."),
    ),
    Case(
        "the two Slack tokens swapped",
        {
            **SLACK_OK,
            "SLACK_BOT_TOKEN": "xapp-1-A1-secretapp",
            "SLACK_APP_TOKEN": "xoxb-1-secretbot",
        },
        ("SLACK_BOT_TOKEN and SLACK_APP_TOKEN", "look swapped"),
        forbids=("secretapp", "secretbot"),
    ),
    Case(
        "a user token for the bot token",
        {**SLACK_OK, "SLACK_BOT_TOKEN": "xoxp-1-secretuser"},
        ("SLACK_BOT_TOKEN", "starts xoxp-", "xoxb-", "OAuth & Permissions"),
        forbids=("secretuser",),
    ),
    Case(
        "the bot token pasted as the app token",
        {**SLACK_OK, "SLACK_APP_TOKEN": "xoxb-1-secretbot"},
        ("SLACK_APP_TOKEN", "starts xoxb-", "xapp-", "connections:write"),
        forbids=("secretbot",),
    ),
    Case(
        "an @ in the PostgreSQL password",
        {"DATABASE_URL": "postgresql+psycopg://postgate:p@ss@localhost:5432/postgate"},
        ("DATABASE_URL", "more than one @", "%40"),
        forbids=("ss@localhost", "p@ss"),
    ),
    Case(
        "a read-only command on an unreachable database",
        {"DATABASE_URL": "postgresql+psycopg://postgate@127.0.0.1:1/postgate"},
        ("DATABASE_URL", "cannot reach PostgreSQL"),
        args=("proposals",),
    ),
]
if os.environ.get(PG_ENV):
    CASES.append(
        Case(
            "a PostgreSQL database that does not exist",
            {"DATABASE_URL": _pg_missing_database()},
            ("DATABASE_URL", "postgate_no_such_db does not exist", "createdb"),
        )
    )


def assert_one_line(err: str, says: tuple[str, ...], *, logged_before: bool = False) -> None:
    """One line from postgate; a service (`logged_before`) may have logged its start
    at INFO before it."""
    lines = [line for line in err.splitlines() if line.strip()]
    ours = [line for line in lines if line.startswith("postgate: ")]
    assert len(ours) == 1 and lines[-1] == ours[0], err
    if not logged_before:
        assert len(lines) == 1, err
    for words in says:
        assert words in ours[0], (words, ours[0])
    assert "Traceback" not in err


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_bad_setting_stops_with_one_line(case: Case, tmp_path: Path) -> None:
    env = child_env(f"sqlite:///{tmp_path / 'postgate.db'}")
    env.pop("DATABASE_URL")
    env.update(case.env)
    done = run_postgate(*case.args, env=env, cwd=tmp_path, check=False)
    assert done.returncode == 2, done.stderr
    assert_one_line(done.stderr, case.says)
    assert not [word for word in case.forbids if word in done.stderr], done.stderr
    assert done.stdout == ""


def test_a_policy_file_that_is_not_yaml_is_one_line_with_where(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("rules:\n  abuse:\n\tseverity: block\n", encoding="utf-8")
    env = child_env(f"sqlite:///{tmp_path / 'postgate.db'}")
    env["POSTGATE_POLICY"] = str(policy)
    done = run_postgate("run", env=env, cwd=tmp_path, check=False)
    assert done.returncode == 2, done.stderr
    assert_one_line(done.stderr, (str(policy), "not valid YAML, line 3, column 1"))


def test_debug_shows_the_traceback_behind_the_line_without_secrets(tmp_path: Path) -> None:
    env = child_env("postgresql+psycopg://postgate:hunter2pass@127.0.0.1:1/postgate")
    env["POSTGATE_LOG_LEVEL"] = "DEBUG"
    done = run_postgate("run", env=env, cwd=tmp_path, check=False)
    assert done.returncode == 2
    assert "Traceback" in done.stderr
    assert "hunter2pass" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("postgate: DATABASE_URL: ")


def test_the_example_env_file_as_it_is_opens_the_local_workspace(tmp_path: Path) -> None:
    example = Path(__file__).parents[2] / ".env.example"
    (tmp_path / ".env").write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    env = child_env("")
    env.pop("DATABASE_URL")
    done = run_postgate("run", env=env, cwd=tmp_path, input="/help\n", check=False)
    assert done.returncode == 0, done.stderr
    assert "/propose" in done.stdout
    assert done.stderr == ""  # at WARNING nothing is logged on a healthy start
    assert " INFO " not in done.stdout  # the transcript is the conversation only
    assert (tmp_path / "postgate.db").exists()


async def _run_against(fake: FakeSlack, tmp_path: Path, **settings: str) -> tuple[int, str]:
    env = child_env(f"sqlite:///{tmp_path / 'postgate.db'}")
    env.update({**SLACK_OK, "SLACK_API_URL": fake.api_url, **settings})
    process = await asyncio.create_subprocess_exec(
        *postgate_command("run"),
        env=env,
        cwd=tmp_path,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, err.decode()


@pytest.mark.parametrize(
    ("status", "error", "says"),
    [
        (500, None, ("Slack's auth.test failed (HTTP 500)", "try again")),
        (None, "invalid_auth", ("SLACK_BOT_TOKEN", "refused the bot token (invalid_auth)")),
        (502, "bots.info", ("SLACK_BOT_TOKEN", "bots.info failed (HTTP 502)")),
    ],
    ids=["HTTP 500", "invalid_auth", "bots.info 502"],
)
async def test_slack_refusing_auth_test_at_start(
    status: int | None, error: str | None, says: tuple[str, ...], tmp_path: Path
) -> None:
    async with FakeSlack() as fake:
        if error == "bots.info":
            assert status is not None
            fake.fail_http("bots.info", status)
        elif status is not None:
            fake.fail_http("auth.test", status)
        elif error is not None:
            fake.fail_next("auth.test", error)
        code, err = await _run_against(fake, tmp_path)
    assert code == 2, err
    assert_one_line(err, says, logged_before=True)


def test_the_console_script_is_the_same_command() -> None:
    # The cases above run `python -m bot.cli.main`; `postgate` is that module's main.
    script = Path(sys.executable).parent / "postgate"
    assert "bot.cli.main" in script.read_text(encoding="utf-8")


def test_tests_see_no_setting_from_the_environment_or_a_dotenv() -> None:
    names = {str(f.alias) for f in Settings.model_fields.values() if f.alias}
    assert not names & set(os.environ)
    assert not Path(".env").exists()  # each test runs in a folder of its own
    assert load_settings().model_fields_set == set()


async def test_a_port_another_program_holds(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with FakeSlack() as fake:
            code, err = await _run_against(fake, tmp_path, POSTGATE_PORT=str(port))
    assert code == 2, err
    assert_one_line(err, ("POSTGATE_PORT", f"cannot listen on port {port}"), logged_before=True)


async def test_discord_refusing_the_token_at_start(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        env = child_env(f"sqlite:///{tmp_path / 'postgate.db'}")
        env.update(
            {
                **DISCORD_OK,
                "DISCORD_TOKEN": "not-the-token",
                "DISCORD_API_URL": fake.api_url,
                "DISCORD_GATEWAY_URL": fake.gateway_url,
            }
        )
        process = await asyncio.create_subprocess_exec(
            *postgate_command("run"),
            env=env,
            cwd=tmp_path,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2, err.decode()
    assert_one_line(err.decode(), ("DISCORD_TOKEN",), logged_before=True)
