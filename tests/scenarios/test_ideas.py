"""/idea through the command door every platform uses: add, list, show, done, drop,
snooze; bad input gets a kind reply and changes nothing; every change is audited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.assembly import build_services
from bot.settings import load_settings
from handlers.context import Context
from handlers.dispatch import run_command
from handlers.events import Actor, Invocation, Role
from handlers.ideas.digests import Outcome, run_digest
from handlers.port import ChannelRole
from storage.models import AuditEvent, Idea
from tests.clock import FixedClock
from tests.fakes.recording_chat import RecordingPort

SAM = Actor("U-sam", "Sam", frozenset({Role.PROPOSER}))
PAT = Actor("U-pat", "Pat", frozenset({Role.PROPOSER}))
CHAIR = Actor("U-chair", "Chair", frozenset({Role.STEERING}))
# Friday 27 November 2026, 10:00 in London.
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@pytest.fixture
async def ctx(database_url: str) -> AsyncIterator[Context]:
    services = build_services(load_settings(database_url=database_url), clock=FixedClock(NOW))
    yield Context(services=services, port=RecordingPort(), workspace="test:T1")
    await services.db.dispose()


async def idea(ctx: Context, text: str, actor: Actor = SAM) -> str:
    inv = Invocation(workspace=ctx.workspace, actor=actor, command="idea", text=text)
    return (await run_command(inv, ctx)).message.as_plain_text()


async def stored(ctx: Context) -> list[Idea]:
    async with ctx.services.db.session() as session:
        return list((await session.execute(select(Idea).order_by(Idea.id))).scalars())


async def audit_kinds(ctx: Context) -> list[str]:
    async with ctx.services.db.session() as session:
        rows = await session.execute(select(AuditEvent.kind).order_by(AuditEvent.id))
        return list(rows.scalars())


async def test_adding_an_idea_records_who_when_tags_and_due_date(ctx: Context) -> None:
    reply = await idea(ctx, "Leaflet the new estate #Housing #leaflets --due 1 Dec")
    assert "Idea 1 is on the list" in reply
    assert "Due Tue 1 Dec" in reply
    [row] = await stored(ctx)
    assert row.text == "Leaflet the new estate #Housing #leaflets"
    assert row.tags == ["housing", "leaflets"]
    assert (row.author_id, row.author_name) == ("U-sam", "Sam")
    assert row.created_at == NOW
    assert row.due_on == date(2026, 12, 1)
    assert row.status == "open"
    assert await audit_kinds(ctx) == ["idea_added"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("1 Dec", date(2026, 12, 1)),
        ("December 1st", date(2026, 12, 1)),
        ("1/12", date(2026, 12, 1)),
        ("tomorrow", date(2026, 11, 28)),
        ("friday", date(2026, 12, 4)),  # today is a Friday: the next one
        ("mon", date(2026, 11, 30)),
        ("2w", date(2026, 12, 11)),
        ("3 Jan", date(2027, 1, 3)),  # no year: the next time it comes round
    ],
)
async def test_due_dates_as_people_write_them(ctx: Context, typed: str, expected: date) -> None:
    await idea(ctx, f"Street stall --due {typed}")
    [row] = await stored(ctx)
    assert row.due_on == expected
    assert row.text == "Street stall"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Keep campaign ideas"),
        ("   #housing  ", "Write the idea itself"),
        ("Street stall --due someday", 'could not read "someday"'),
        ("Street stall --due 2026-02-30", "could not read"),
        ("Street stall --due 2026-11-01", "already passed"),
        ("Street stall --due 2030-01-01", "more than three years away"),
        ("x" * 20000, "20,000 characters long; the limit is 1,000"),  # as drafts say it
        ("Something --due", "--due needs a date, for example --due 12 Jan."),
        ("Something --due=", "--due needs a date"),
        ("Two dues --due 1 Dec --due 2 Dec", "Give one --due date; this idea has 2."),
        ("Past thing --due 20 Nov", "Fri 20 Nov has already passed"),  # not Nov 2027
        ("Past thing --due 26/11", "Yesterday has already passed"),
        ("Past thing --due yesterday", "Yesterday has already passed"),
        ("Christmas --due 12/25", "dates go day first, for example 25/12 or 25 Dec."),
    ],
)
async def test_bad_input_is_refused_kindly_and_stores_nothing(
    ctx: Context, text: str, says: str
) -> None:
    reply = await idea(ctx, text)
    assert says in reply
    assert await stored(ctx) == []
    assert await audit_kinds(ctx) == []


async def test_list_is_oldest_first_with_age_and_author_and_filters_by_tag(
    ctx: Context,
) -> None:
    clock = ctx.services.clock
    assert isinstance(clock, FixedClock)
    clock.set(NOW - timedelta(days=10))
    await idea(ctx, "Hustings for the by-election #events", PAT)
    clock.set(NOW)
    await idea(ctx, "Housing survey #housing --due 2w")
    listing = await idea(ctx, "list")
    assert listing.index("Hustings") < listing.index("Housing survey")
    assert "#1 Hustings for the by-election #events - Pat, 10 days ago" in listing
    assert "#2 Housing survey #housing - Sam, today, due Fri 11 Dec" in listing
    for typed in ("list #housing", "list Housing"):
        only = await idea(ctx, typed)
        assert "Housing survey" in only and "Hustings" not in only
    assert "No open ideas tagged #transport" in await idea(ctx, "list #transport")


async def test_show_done_and_drop(ctx: Context) -> None:
    await idea(ctx, "Street stall #events --due tomorrow")
    await idea(ctx, "Banner for the march")
    shown = await idea(ctx, "show 1")
    assert "Idea 1" in shown and "> Street stall #events" in shown
    assert "Added by: Sam" in shown and "Due: tomorrow" in shown and "Tags: #events" in shown
    assert "Added: today\n" in shown + "\n"  # not "today (today)"

    assert "Idea 1 is done" in await idea(ctx, "done 1")
    assert "Idea 2 is off the list" in await idea(ctx, "drop 2", CHAIR)
    assert "already done" in await idea(ctx, "done 1")
    rows = await stored(ctx)
    assert [(r.status, r.closed_by) for r in rows] == [("done", "Sam"), ("dropped", "Chair")]
    assert "No open ideas" in await idea(ctx, "list")
    assert await audit_kinds(ctx) == ["idea_added", "idea_added", "idea_done", "idea_dropped"]
    async with ctx.services.db.session() as session:
        linked = await session.scalar(
            select(func.count()).where(AuditEvent.proposal_id.is_not(None))
        )
    assert linked == 0


async def test_unknown_ids_and_other_peoples_ideas_change_nothing(ctx: Context) -> None:
    await idea(ctx, "Street stall", SAM)
    assert "There is no idea 7" in await idea(ctx, "done 7")
    assert "Say which idea by its number" in await idea(ctx, "drop stall")
    refusal = await idea(ctx, "drop 1", PAT)
    assert "Only the steering group, editors or Sam (who added it) can drop idea 1." in refusal
    assert "can mark idea 1 done." in await idea(ctx, "done 1", PAT)
    other = Context(services=ctx.services, port=ctx.port, workspace="test:OTHER")
    assert "There is no idea 1" in await idea(other, "show 1")
    [row] = await stored(ctx)
    assert row.status == "open"
    assert await audit_kinds(ctx) == ["idea_added"]


async def test_snooze_hides_an_idea_from_the_digest_until_it_wakes(ctx: Context) -> None:
    await idea(ctx, "Street stall")
    await idea(ctx, "Banner for the march")
    assert "could not read" in await idea(ctx, "snooze 1 soon")
    for span, says in (
        ("100m", '"100m" is more than a year: snooze for at most a year'),
        ("0d", '"0d" is no time at all: snooze for at least a day'),
        ("20 Nov", "Fri 20 Nov has already passed"),
        ("12/24", "dates go day first, for example 24/12 or 24 Dec."),
    ):
        reply = await idea(ctx, f"snooze 1 {span}")
        assert says in reply and 'could not read "100m"' not in reply, span
    assert "snoozed until Fri 11 Dec" in await idea(ctx, "snooze 1 2w")
    assert "snoozed until Fri 11 Dec" in await idea(ctx, "list")

    clock = ctx.services.clock
    assert isinstance(clock, FixedClock)
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # Monday
    assert await run_digest(ctx) == Outcome.SENT
    port = ctx.port
    assert isinstance(port, RecordingPort)
    first = port.to(ChannelRole.STEERING)[-1].text
    assert "Banner for the march" in first and "Street stall" not in first

    clock.set(datetime(2026, 12, 14, 9, 0, tzinfo=UTC))  # two Mondays on: awake again
    assert await run_digest(ctx) == Outcome.SENT
    assert "Street stall" in port.to(ChannelRole.STEERING)[-1].text
    assert "idea_snoozed" in await audit_kinds(ctx)
