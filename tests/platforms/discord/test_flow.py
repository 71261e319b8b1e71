"""End to end on Discord: the real discord.py client, connected to a local fake
Discord, running postgate's real workflow on a real (temporary) database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import discord
import pytest
from discord.gateway import DiscordWebSocket

from bot.assembly import build_services
from bot.platforms.discord.platform import DiscordPlatform
from bot.settings import Settings, load_settings
from handlers.commands.registry import all_commands
from handlers.context import Services
from storage import proposals as repo
from storage.models import AuditEvent, Vote
from tests.fakes.discord_server import (
    APPROVED_CHANNEL,
    BOT_ID,
    EDITOR_ROLE,
    GENERAL_CHANNEL,
    GUILD_ID,
    PROPOSER_ROLE,
    REVIEW_CHANNEL,
    FakeDiscord,
    FakeMessage,
)

PAT = 870000000000000001  # proposes
ERIN = 870000000000000002  # an editor
EDDIE = 870000000000000003  # another editor
SAM = 870000000000000004  # a member, not an editor
TOKEN = "MTIzNDU2Nzg5.fake-discord.secret-token-for-tests"
DRAFT = "Come and meet your local councillors at the library on Saturday from 10am."


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token=TOKEN) as server:
        server.add_member(PAT, "Pat", roles=[])
        server.add_member(ERIN, "Erin", roles=[EDITOR_ROLE])
        server.add_member(EDDIE, "Eddie", roles=[EDITOR_ROLE])
        server.add_member(SAM, "Sam", roles=[])
        yield server


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """No error may be logged anywhere while the bot runs (they would hide a failure)."""
    caplog.set_level(logging.INFO)
    yield
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not logged, [r.getMessage() for r in logged]


def settings_for(fake: FakeDiscord, database_url: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_GUILD_ID": GUILD_ID,
        "DISCORD_API_URL": fake.api_url,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "DISCORD_REVIEW_CHANNEL": REVIEW_CHANNEL,
        "DISCORD_APPROVED_CHANNEL": APPROVED_CHANNEL,
        "DISCORD_EDITOR_ROLE": EDITOR_ROLE,
    }
    return load_settings(**(values | extra))


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[tuple[DiscordPlatform, Services]]:
    """A platform as a fresh process would run it; its bot task must end cleanly."""
    services = build_services(settings)
    platform = DiscordPlatform(
        settings=settings, services=services, ready_timeout=10, guild_ready_timeout=0.05
    )
    await platform.start()
    task = platform.task
    assert task is not None
    try:
        yield platform, services
        if task.done():
            task.result()  # the bot crashed: show why
    finally:
        await platform.stop()
        await services.db.dispose()
    assert task.done()
    assert task.exception() is None


async def propose(fake: FakeDiscord, text: str, *, user_id: int = PAT) -> FakeMessage:
    """`/propose text`; returns the review card once it is up with its reaction hints."""
    before = {m.id for m in fake.channel_messages(REVIEW_CHANNEL)}
    payload = await fake.slash_command(
        "propose", user_id=user_id, subcommand="new", options={"text": text}
    )
    await fake.wait_for(lambda: fake.followups.get(payload["token"]))
    cards = [m for m in fake.channel_messages(REVIEW_CHANNEL) if m.id not in before]
    assert len(cards) == 1, "one review card is posted"
    return cards[0]


def title(message: FakeMessage) -> str:
    return str(message.embeds[0]["title"])


def everything(message: FakeMessage) -> str:
    parts = [message.content]
    for embed in message.embeds:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f["name"] + " " + f["value"] for f in embed.get("fields", [])]
        parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(parts)


async def edited(fake: FakeDiscord, card: FakeMessage, count: int) -> list[dict[str, Any]]:
    return list(await fake.wait_for(lambda: len(card.edits) >= count and card.edits))


async def test_propose_then_an_editor_approves(
    fake: FakeDiscord, database_url: str, errors: None
) -> None:
    async with running(settings_for(fake, database_url)) as (_platform, _services):
        payload = await fake.slash_command(
            "propose", user_id=PAT, subcommand="new", options={"text": DRAFT}
        )
        await fake.wait_for(lambda: fake.followups.get(payload["token"]))

        # Deferred at once, before any work, privately; the answer is an ephemeral follow-up.
        order = [c.path for c in fake.calls]
        deferred = order.index(f"/interactions/{payload['id']}/{payload['token']}/callback")
        assert deferred < order.index(f"/channels/{REVIEW_CHANNEL}/messages")
        callback = fake.callbacks[int(payload["id"])]
        assert callback["type"] == 5
        assert callback["data"]["flags"] & 64
        (ack,) = fake.followups[payload["token"]]
        assert ack["flags"] & 64
        assert "with the editors" in ack["embeds"][0]["title"]

        # The card: an embed in the review channel with the draft quoted, the hints added.
        (card,) = fake.channel_messages(REVIEW_CHANNEL)
        assert "waiting for an editor" in title(card)
        assert "> Come and meet your local councillors" in card.embeds[0]["description"]
        assert f"<@&{EDITOR_ROLE}>" in card.content  # editors are pinged on purpose
        assert card.allowed_mentions == {"parse": [], "users": [], "roles": [EDITOR_ROLE]}
        assert len([r for r in fake.reactions if r[1] == card.id]) == 3

        await fake.react(message_id=card.id, user_id=ERIN, emoji="✅")
        (edit, *_) = await edited(fake, card, 1)
        await fake.wait_for(lambda: fake.dms_to(PAT))

    assert "APPROVED" in edit["embeds"][0]["title"]
    assert "✅" in edit["embeds"][0]["title"]  # the meaning is in words and a marker
    (approved,) = fake.channel_messages(APPROVED_CHANNEL)
    assert "Ready to publish" in title(approved)
    assert DRAFT in approved.embeds[0]["description"].replace("\\", "")
    (note,) = fake.dms_to(PAT)
    assert "approved your proposal" in everything(note)


async def test_a_non_editors_reaction_decides_nothing(
    fake: FakeDiscord, database_url: str, errors: None
) -> None:
    settings = settings_for(fake, database_url, POSTGATE_APPROVALS_REQUIRED=2)
    async with running(settings) as (_platform, services):
        card = await propose(fake, DRAFT)
        # Sam is no editor; the bot's own reaction never counts, even if it had the role.
        fake.member_roles[BOT_ID] = [EDITOR_ROLE]
        await fake.react(message_id=card.id, user_id=SAM, emoji="✅")
        await fake.react(message_id=card.id, user_id=BOT_ID, emoji="✅")
        await fake.react(message_id=card.id, user_id=ERIN, emoji="✅")
        (edit, *_) = await edited(fake, card, 1)
        async with services.db.session() as session:
            votes = (await session.execute(Vote.__table__.select())).all()

    assert "waiting for an editor" in edit["embeds"][0]["title"]  # 1 of 2: not decided
    assert [v.voter_id for v in votes] == [str(ERIN)]
    assert not fake.channel_messages(APPROVED_CHANNEL)
    assert not fake.dms_to(PAT)


async def test_a_reaction_removed_withdraws_the_vote_and_a_replay_is_dropped(
    fake: FakeDiscord, database_url: str, errors: None
) -> None:
    settings = settings_for(fake, database_url, POSTGATE_APPROVALS_REQUIRED=2)
    async with running(settings) as (_platform, services):
        card = await propose(fake, DRAFT)
        await fake.react(message_id=card.id, user_id=ERIN, emoji="✅")
        await edited(fake, card, 1)
        await fake.redeliver_last()  # a gateway RESUME replays the same dispatch
        await fake.unreact(message_id=card.id, user_id=ERIN, emoji="✅")
        await edited(fake, card, 2)
        # Discord sends no member with a removal: the roles were looked up over REST.
        assert fake.calls_to("GET", rf"/guilds/{GUILD_ID}/members/{ERIN}")
        async with services.db.session() as session:
            assert not (await session.execute(Vote.__table__.select())).all()

        # Added again, it is a new delivery and counts again; with Eddie that decides.
        await fake.react(message_id=card.id, user_id=ERIN, emoji="✅")
        await edited(fake, card, 3)
        await fake.react(message_id=card.id, user_id=EDDIE, emoji="✅")
        await fake.wait_for(lambda: fake.channel_messages(APPROVED_CHANNEL))
        async with services.db.session() as session:
            kinds = [
                row.kind
                for row in (await session.execute(AuditEvent.__table__.select())).all()
                if row.kind.startswith("vote")
            ]

    assert kinds == ["vote_added", "vote_withdrawn", "vote_added", "vote_added"]


async def test_mentions_in_a_draft_ping_no_one(
    fake: FakeDiscord, database_url: str, errors: None
) -> None:
    draft = f"Big news @everyone and @here! Ask <@&{PROPOSER_ROLE}> or <@{SAM}> about Saturday."
    async with running(settings_for(fake, database_url)) as (_platform, _services):
        card = await propose(fake, draft)
        await fake.react(message_id=card.id, user_id=ERIN, emoji="✅")
        await fake.wait_for(lambda: fake.dms_to(PAT) and fake.channel_messages(APPROVED_CHANNEL))

    sent = [c for c in fake.calls if c.method in ("POST", "PATCH") and isinstance(c.body, dict)]
    with_text = [c for c in sent if c.body.get("embeds") or c.body.get("content")]
    assert len(with_text) >= 5  # ack, card, card edit, approved post, DM
    for call in with_text:
        allowed = call.body["allowed_mentions"]
        assert allowed["parse"] == [], call.path
        assert set(allowed.get("users", [])) == set(), call.path
        assert set(allowed.get("roles", [])) <= {EDITOR_ROLE}, call.path
        shown = str(call.body.get("content")) + str(call.body.get("embeds"))
        assert "@everyone" not in shown and "@here" not in shown
        assert f"<@&{PROPOSER_ROLE}>" not in shown and f"<@{SAM}>" not in shown
    assert "@\u200beveryone" in card.embeds[0]["description"]


async def test_a_restart_between_proposal_and_reaction(
    fake: FakeDiscord, database_url: str, errors: None
) -> None:
    settings = settings_for(fake, database_url)
    async with running(settings):
        card = await propose(fake, DRAFT)
    # A new process: nothing cached, new services, the same database.
    async with running(settings) as (_platform, services):
        await fake.react(message_id=card.id, user_id=ERIN, emoji="✅")
        (edit, *_) = await edited(fake, card, 1)
        await fake.wait_for(lambda: fake.dms_to(PAT))
        async with services.db.session() as session:
            snap = await repo.snapshot(session, workspace=f"discord:{GUILD_ID}", proposal_id=1)

    assert len(fake.identifies) == 2
    assert "APPROVED" in edit["embeds"][0]["title"]
    assert snap is not None and snap.status == "approved"
    assert fake.channel_messages(APPROVED_CHANNEL)


async def test_an_empty_propose_opens_a_form_whose_text_is_proposed(
    fake: FakeDiscord, database_url: str, errors: None
) -> None:
    async with running(settings_for(fake, database_url)):
        payload = await fake.slash_command("propose", user_id=PAT, subcommand="new")
        await fake.wait_for(lambda: fake.callbacks.get(int(payload["id"])))
        modal = fake.callbacks[int(payload["id"])]
        assert modal["type"] == 9
        (row,) = modal["data"]["components"]
        (field,) = row["components"]
        assert field["style"] == 2  # paragraph: a multi-line draft
        assert field["label"] == "Your draft post"
        submitted = await fake.submit_modal(
            modal["data"], user_id=PAT, values={field["custom_id"]: "Line one.\nLine two."}
        )
        await fake.wait_for(lambda: fake.followups.get(submitted["token"]))

    (card,) = fake.channel_messages(REVIEW_CHANNEL)
    assert "> Line one.\n> Line two." in card.embeds[0]["description"]


async def test_every_command_is_registered_with_its_typed_subcommands(
    fake: FakeDiscord, database_url: str, errors: None
) -> None:
    async with running(settings_for(fake, database_url)):
        sync = fake.calls_to("PUT", rf"/applications/\d+/guilds/{GUILD_ID}/commands")
        assert len(sync) == 1
        specs = {spec.name: spec for spec in all_commands()}
        assert {c["name"] for c in fake.commands} == set(specs)
        registered = {c["name"]: c for c in fake.commands}

        propose = {o["name"]: o for o in registered["propose"]["options"]}
        assert set(propose) == {s.name for s in specs["propose"].subcommands}
        assert all(o["type"] == 1 for o in propose.values())  # subcommands
        (number,) = propose["withdraw"]["options"]
        assert (number["name"], number["type"], number["required"]) == ("number", 4, True)
        edit = [(o["name"], o["type"]) for o in propose["edit"]["options"]]
        assert edit == [("number", 4), ("text", 3)]
        assert not propose["status"]["options"][0].get("required", False)
        reminders = {o["name"]: o for o in registered["reminders"]["options"]}
        (kinds,) = [o for o in reminders["set"]["options"] if o["name"] == "kind"]
        assert [c["value"] for c in kinds["choices"]] == ["digest", "due", "nudge", "kpis"]

        (which,) = registered["help"]["options"]  # /help propose explains one command
        assert (which["name"], which["type"], which.get("required", False)) == ("command", 3, False)
        assert which.get("autocomplete")
        (period,) = registered["stats"]["options"]  # one form: its options, no group
        assert (period["name"], period["type"]) == ("period", 3)
        assert period.get("autocomplete")
        payload = await fake.autocomplete("stats", user_id=SAM, option="period", current="mo")
        await fake.wait_for(lambda: fake.callbacks.get(int(payload["id"])))
        answer = fake.callbacks[int(payload["id"])]
    assert answer["type"] == 8
    assert answer["data"]["choices"] == [{"name": "month", "value": "month"}]


async def test_a_typed_subcommand_runs_like_the_typed_line(
    fake: FakeDiscord, database_url: str, errors: None
) -> None:
    async with running(settings_for(fake, database_url)):
        card = await propose(fake, DRAFT)
        payload = await fake.slash_command(
            "propose", user_id=PAT, subcommand="withdraw", options={"number": 1}
        )
        await fake.wait_for(lambda: fake.followups.get(payload["token"]))
        await fake.wait_for(lambda: card.edits)
        missing = await fake.slash_command(
            "idea", user_id=PAT, subcommand="done", options={"number": 7}
        )
        await fake.wait_for(lambda: fake.followups.get(missing["token"]))
    (withdrawn,) = fake.followups[payload["token"]]
    assert "withdrawn" in str(withdrawn["embeds"]).lower()
    (no_idea,) = fake.followups[missing["token"]]
    assert "There is no idea 7" in str(no_idea["embeds"])


async def test_the_token_never_reaches_a_log(
    fake: FakeDiscord, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running(settings_for(fake, database_url)):
        card = await propose(fake, DRAFT)
        await fake.react(message_id=card.id, user_id=ERIN, emoji="✅")
        await fake.wait_for(lambda: fake.dms_to(PAT))
    assert fake.identifies[0]["token"] == TOKEN  # it was used...
    assert TOKEN not in caplog.text  # ...and never logged
    assert TOKEN.split(".")[-1] not in caplog.text


async def test_stop_puts_discords_own_urls_back(fake: FakeDiscord, database_url: str) -> None:
    before = (discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    async with running(settings_for(fake, database_url)):
        assert fake.api_url == discord.http.Route.BASE
    assert before == (discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)


async def test_a_refused_token_fails_start_clearly(fake: FakeDiscord, database_url: str) -> None:
    settings = settings_for(fake, database_url, DISCORD_TOKEN="not-the-token")
    services = build_services(settings)
    platform = DiscordPlatform(settings=settings, services=services, ready_timeout=10)
    try:
        with pytest.raises(Exception, match="token was refused"):
            await asyncio.wait_for(platform.start(), 15)
    finally:
        await platform.stop()
        await services.db.dispose()


async def test_a_blocked_drafts_reasons_are_for_the_proposer_alone(
    fake: FakeDiscord, database_url: str, errors: None
) -> None:
    async with running(settings_for(fake, database_url)):
        payload = await fake.slash_command(
            "propose",
            user_id=PAT,
            subcommand="new",
            options={"text": "Vote them out, the Tory scum"},
        )
        await fake.wait_for(lambda: fake.followups.get(payload["token"]))
    (reasons,) = fake.followups[payload["token"]]
    assert reasons["flags"] & 64  # ephemeral
    assert "blocked" in reasons["embeds"][0]["title"]
    assert not fake.channel_messages(REVIEW_CHANNEL)


async def test_a_proposer_with_closed_dms_is_told_in_a_reply_to_the_card(
    fake: FakeDiscord, database_url: str, errors: None
) -> None:
    fake.dm_forbidden.add(PAT)
    async with running(settings_for(fake, database_url)):
        card = await propose(fake, DRAFT)
        await fake.react(message_id=card.id, user_id=ERIN, emoji="❌")
        await fake.wait_for(
            lambda: [m for m in fake.channel_messages(REVIEW_CHANNEL) if m.message_reference]
        )
    (reply,) = [m for m in fake.channel_messages(REVIEW_CHANNEL) if m.message_reference]
    assert reply.message_reference is not None
    assert reply.message_reference["message_id"] == card.id
    assert reply.content.startswith(f"<@{PAT}>")
    allowed = reply.allowed_mentions or {}
    assert (allowed["parse"], allowed["users"], allowed["roles"]) == ([], [PAT], [])
    assert not allowed.get("replied_user")
    assert "rejected your proposal" in everything(reply)


async def test_a_shared_answer_is_posted_in_the_channel(
    fake: FakeDiscord, database_url: str, errors: None
) -> None:
    async with running(settings_for(fake, database_url)):
        payload = await fake.slash_command(
            "guidance", user_id=SAM, options={"question": "share rules"}
        )
        await fake.wait_for(lambda: payload["token"] in fake.deleted_originals)
    (shared,) = fake.channel_messages(GENERAL_CHANNEL)
    assert shared.embeds
    assert shared.allowed_mentions is not None and shared.allowed_mentions["parse"] == []
    assert not fake.followups.get(payload["token"])


async def test_with_a_proposer_role_others_may_not_propose(
    fake: FakeDiscord, database_url: str, errors: None
) -> None:
    fake.member_roles[PAT] = [PROPOSER_ROLE]
    settings = settings_for(fake, database_url, DISCORD_PROPOSER_ROLE=PROPOSER_ROLE)
    async with running(settings):
        refused = await fake.slash_command(
            "propose", user_id=SAM, subcommand="new", options={"text": DRAFT}
        )
        await fake.wait_for(lambda: fake.followups.get(refused["token"]))
        assert not fake.channel_messages(REVIEW_CHANNEL)
        await propose(fake, DRAFT, user_id=PAT)
    (answer,) = fake.followups[refused["token"]]
    assert answer["flags"] & 64


async def test_a_command_discord_still_lists_but_postgate_dropped_gets_a_kind_answer(
    fake: FakeDiscord, database_url: str, errors: None
) -> None:
    async with running(settings_for(fake, database_url)):
        payload = await fake.slash_command("retired", user_id=SAM, options={"text": "x"})
        await fake.wait_for(lambda: fake.callbacks.get(int(payload["id"])))
    answer = fake.callbacks[int(payload["id"])]
    assert answer["type"] == 4
    assert answer["data"]["flags"] & 64
    assert "try again" in str(answer["data"]["embeds"])
    assert "Traceback" not in str(answer)


async def test_stats_arrive_privately_with_the_chart_attached(
    fake: FakeDiscord, database_url: str, errors: None
) -> None:
    async with running(settings_for(fake, database_url)):
        payload = await fake.slash_command("stats", user_id=ERIN, options={"period": "month"})
        await fake.wait_for(lambda: fake.followups.get(payload["token"]), within=20)
    (call,) = [c for c in fake.calls if c.path.endswith(payload["token"]) and c.method == "POST"]
    ((name, data),) = call.files
    assert name.endswith(".png") and data.startswith(b"\x89PNG")
    assert call.body["flags"] & 64
    assert call.body["embeds"][-1]["image"]["url"] == f"attachment://{name}"


async def test_a_draft_typed_in_new_never_runs_another_subcommand(
    fake: FakeDiscord, database_url: str, errors: None
) -> None:
    """`/propose new text:"withdraw 1"` chose the post's form: nothing is withdrawn."""
    async with running(settings_for(fake, database_url)):
        card = await propose(fake, DRAFT)
        payload = await fake.slash_command(
            "propose", user_id=PAT, subcommand="new", options={"text": "withdraw 1"}
        )
        await fake.wait_for(lambda: fake.followups.get(payload["token"]))
        status = await fake.slash_command(
            "propose", user_id=PAT, subcommand="status", options={"number": 1}
        )
        await fake.wait_for(lambda: fake.followups.get(status["token"]))
    (answer,) = fake.followups[payload["token"]]
    assert "is a command of its own, /propose withdraw 1" in str(answer["embeds"])
    assert not card.edits
    assert "waiting for the editors" in str(fake.followups[status["token"]])
