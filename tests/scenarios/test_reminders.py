"""/reminders and the scheduled messages, driven with a fixed clock: who may change the
schedule, pause and resume, the digest's contents, due-day reminders and the nudge."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.assembly import build_services
from bot.settings import load_settings
from handlers.context import Context
from handlers.dispatch import run_command
from handlers.events import Actor, Invocation, Role
from handlers.ideas.digests import Outcome, run_digest, run_due_reminders, run_nudge
from handlers.port import ChannelRole
from storage.models import AuditEvent, ReminderSchedule
from tests.clock import FixedClock
from tests.fakes.recording_chat import EDITORS, STEERING, RecordingPort

SAM = Actor("U-sam", "Sam", frozenset({Role.PROPOSER}))
EDITH = Actor("U-edith", "Edith", frozenset({Role.EDITOR, Role.PROPOSER}))
CHAIR = Actor("U-chair", "Chair", frozenset({Role.STEERING}))
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 09:00 in London (GMT)


@pytest.fixture
async def ctx(database_url: str) -> AsyncIterator[Context]:
    clock = FixedClock(MONDAY_9 - timedelta(days=3))
    services = build_services(load_settings(database_url=database_url), clock=clock)
    yield Context(services=services, port=RecordingPort(), workspace="test:T1")
    await services.db.dispose()


def clock_of(ctx: Context) -> FixedClock:
    assert isinstance(ctx.services.clock, FixedClock)
    return ctx.services.clock


def port_of(ctx: Context) -> RecordingPort:
    assert isinstance(ctx.port, RecordingPort)
    return ctx.port


async def say(ctx: Context, actor: Actor, command: str, text: str) -> str:
    inv = Invocation(workspace=ctx.workspace, actor=actor, command=command, text=text)
    return (await run_command(inv, ctx)).message.as_plain_text()


async def schedule_rows(ctx: Context) -> list[tuple[str, str, bool]]:
    async with ctx.services.db.session() as session:
        rows = await session.execute(select(ReminderSchedule).order_by(ReminderSchedule.kind))
        return [(r.kind, r.cron, r.paused) for r in rows.scalars()]


async def test_anyone_sees_the_schedule_but_only_editors_and_steering_change_it(
    ctx: Context,
) -> None:
    shown = await say(ctx, SAM, "reminders", "")
    assert "Mondays at 09:00" in shown and "Next: Mon 30 Nov at 09:00" in shown
    assert "weekdays (Mon-Fri) at 09:30" in shown
    before = await schedule_rows(ctx)
    for verb in ('set "tue 10:00"', "pause", "resume"):
        assert "Only editors and the steering group" in await say(ctx, SAM, "reminders", verb)
    assert await schedule_rows(ctx) == before

    assert "Tuesdays at 10:00" in await say(ctx, CHAIR, "reminders", 'set "tue 10:00"')
    assert "weekdays (Mon-Fri) at 08:45" in await say(
        ctx, EDITH, "reminders", "set nudge 45 8 * * 1-5"
    )
    rows = dict((k, c) for k, c, _ in await schedule_rows(ctx))
    assert rows == {
        "digest": "0 10 * * tue",
        "due": "0 9 * * *",
        "nudge": "45 8 * * mon-fri",
        "kpis": "15 9 * * mon",
    }
    assert "could not" not in await say(ctx, SAM, "reminders", "")


async def test_a_schedule_that_cannot_be_read_changes_nothing(ctx: Context) -> None:
    await say(ctx, SAM, "reminders", "")
    before = await schedule_rows(ctx)
    for bad in ('set "funday 09:00"', "set mon 25:00", "set", "pause until someday"):
        assert "Nothing was changed" in await say(ctx, CHAIR, "reminders", bad)
    assert await schedule_rows(ctx) == before
    for bad, says in (
        ("pause until yesterday", "Yesterday has already passed; pause until a day after today."),
        ("pause until 0d", '"0d" is no time at all'),
        ("pause until 12/25", "dates go day first, for example 25/12 or 25 Dec."),
        ("stop digest", "Did you mean /reminders pause digest?"),
    ):
        assert says in await say(ctx, CHAIR, "reminders", bad), bad
    assert await schedule_rows(ctx) == before


async def test_pause_and_resume(ctx: Context) -> None:
    await say(ctx, SAM, "idea", "Street stall")
    assert "paused until someone types /reminders resume" in await say(
        ctx, CHAIR, "reminders", "pause"
    )
    clock_of(ctx).set(MONDAY_9)
    assert await run_digest(ctx) == Outcome.PAUSED
    assert port_of(ctx).posts == []
    assert "back on" in await say(ctx, CHAIR, "reminders", "resume")
    assert await run_digest(ctx) == Outcome.SENT
    assert len(port_of(ctx).posts) == 1

    # Paused until a day: quiet until then, and back by itself on that day.
    assert "paused until Mon 14 Dec" in await say(ctx, EDITH, "reminders", "pause until 14 Dec")
    assert "paused until Mon 14 Dec" in await say(ctx, SAM, "reminders", "")
    clock_of(ctx).set(MONDAY_9 + timedelta(days=7))
    assert await run_digest(ctx) == Outcome.PAUSED
    clock_of(ctx).set(MONDAY_9 + timedelta(days=14))
    assert await run_digest(ctx) == Outcome.SENT
    assert len(port_of(ctx).posts) == 2
    async with ctx.services.db.session() as session:
        kinds = list((await session.execute(select(AuditEvent.kind))).scalars())
    assert kinds.count("reminders_paused") == 2 and kinds.count("reminders_resumed") == 1


async def test_digest_lists_open_ideas_coming_due_dates_and_what_was_done(
    ctx: Context,
) -> None:
    clock = clock_of(ctx)
    clock.set(MONDAY_9 - timedelta(days=20))
    await say(ctx, SAM, "idea", "Hustings for the by-election")
    clock.set(MONDAY_9 - timedelta(days=2))
    await say(ctx, CHAIR, "idea", "Housing survey --due 2026-12-03")
    await say(ctx, SAM, "idea", "Banner for the march")
    await say(ctx, SAM, "idea", "done 3")

    clock.set(MONDAY_9)
    assert await run_digest(ctx) == Outcome.SENT
    [digest] = port_of(ctx).to(ChannelRole.STEERING)
    assert STEERING in digest.message.mentions()
    body = digest.text
    assert "2 open campaign ideas, oldest first" in body
    assert body.index("Hustings") < body.index("Housing survey")
    assert "#1 Hustings for the by-election - Sam, 2 weeks ago" in body
    assert "#2 Housing survey - Chair, 2 days ago, due Thu 3 Dec" in body
    assert "Coming up: #2 due Thu 3 Dec" in body
    assert "Done since the last digest: #3 Banner for the march (Sam)" in body

    # The same day again (a restart, a coalesced run): nothing more.
    assert await run_digest(ctx) == Outcome.ALREADY
    # Next week, what was done is not repeated.
    clock.set(MONDAY_9 + timedelta(days=7))
    assert await run_digest(ctx) == Outcome.SENT
    assert "Done since" not in port_of(ctx).to(ChannelRole.STEERING)[-1].text


async def test_an_idea_gets_its_own_reminder_on_the_morning_it_falls_due(
    ctx: Context,
) -> None:
    await say(ctx, SAM, "idea", "Housing survey --due 2026-12-02")
    await say(ctx, SAM, "idea", "Street stall --due 2026-12-03")
    clock = clock_of(ctx)
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert await run_due_reminders(ctx) == Outcome.NOTHING
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    assert await run_due_reminders(ctx) == Outcome.SENT
    [sent] = port_of(ctx).to(ChannelRole.STEERING)
    assert sent.message.title == "Idea 1 is due today"
    assert "Housing survey" in sent.text and STEERING in sent.message.mentions()
    assert await run_due_reminders(ctx) == Outcome.ALREADY
    assert len(port_of(ctx).posts) == 1

    # A snoozed idea waits; a done one never reminds.
    await say(ctx, SAM, "idea", "snooze 2 1w")
    clock.set(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    assert await run_due_reminders(ctx) == Outcome.NOTHING
    assert len(port_of(ctx).posts) == 1


async def test_the_nudge_lists_waiting_proposals_oldest_first_for_the_editors(
    ctx: Context,
) -> None:
    clock = clock_of(ctx)
    clock.set(datetime(2026, 11, 30, 9, 30, tzinfo=UTC))
    assert await run_nudge(ctx) == Outcome.NOTHING
    assert port_of(ctx).posts == []

    clock.set(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    await say(ctx, SAM, "propose", "Come and meet your councillors at the library on Saturday.")
    clock.set(datetime(2026, 11, 29, 12, 0, tzinfo=UTC))
    await say(ctx, EDITH, "propose", "Thank you to everyone who helped at the food bank.")
    cards = len(port_of(ctx).posts)

    clock.set(datetime(2026, 12, 1, 9, 30, tzinfo=UTC))
    assert await run_nudge(ctx) == Outcome.SENT
    [nudge] = port_of(ctx).posts[cards:]
    assert nudge.channel == str(ChannelRole.REVIEW)
    assert set(EDITORS) <= set(nudge.message.mentions())
    text = nudge.text
    assert "2 proposals are waiting" in text
    assert text.index("#1 from Sam, proposed 6 days ago") < text.index(
        "#2 from Edith, proposed 2 days ago"
    )
    assert await run_nudge(ctx) == Outcome.ALREADY
