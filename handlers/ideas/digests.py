"""The scheduled messages: the steering group's digest of ideas, the due-day reminder,
the editors' nudge about proposals waiting for them, and the weekly KPIs.

Each run claims its local day in the database before posting, so a restart, a
coalesced misfire or October's doubled hour never sends the same reminder twice. A
paused schedule sends nothing. Nothing to list: no message (the KPIs always have
figures, even when they are all zero, so they always go).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from enum import StrEnum

from handlers.context import Context
from handlers.ideas.dates import age as age_words
from handlers.ideas.dates import friendly_day
from handlers.ideas.idea import idea_line, local_today
from handlers.messages import Message, MessageField, Text, Tone, joined, text
from handlers.port import ChannelRole, Group, PlatformError
from handlers.stats.command import kpi_digest_message
from storage import ideas as idea_store
from storage import proposals as proposal_store
from storage import reminders as store
from storage.ideas import IdeaSnapshot
from storage.models import IdeaAuditKind, ReminderKind
from storage.reminders import ScheduleSnapshot

log = logging.getLogger(__name__)

COMING_UP_DAYS = 14  # the digest lists due dates this far ahead
LIST_LIMIT = 30


class Outcome(StrEnum):
    SENT = "sent"
    NOTHING = "nothing"  # ran, and there was nothing to say
    ALREADY = "already"  # this day's reminder had already run
    PAUSED = "paused"


def is_paused(schedule: ScheduleSnapshot, *, today: date) -> bool:
    if not schedule.paused:
        return False
    return schedule.paused_until is None or today < schedule.paused_until


def _greeting(ctx: Context, group: Group) -> Text:
    mentions = ctx.port.members_of(group)
    return text(joined(mentions, " "), " ") if mentions else ()


async def _claim(
    ctx: Context, kind: ReminderKind, today: date
) -> tuple[Outcome | None, ScheduleSnapshot]:
    """An outcome that ends the run (or None), and the schedule as it was before this
    claim: its `last_run_on` is given back if posting fails."""
    async with ctx.services.db.transaction() as session:
        schedule = await store.get_schedule(session, workspace=ctx.workspace, kind=kind)
        if schedule.paused and not is_paused(schedule, today=today):
            await store.end_pause(session, workspace=ctx.workspace, kind=kind)
        if is_paused(schedule, today=today):
            log.info("%s reminder in %s is paused; nothing sent", kind, ctx.workspace)
            return Outcome.PAUSED, schedule
        if not await store.claim_run(session, workspace=ctx.workspace, kind=kind, day=today):
            log.info("%s reminder in %s already ran on %s", kind, ctx.workspace, today)
            return Outcome.ALREADY, schedule
    return None, schedule


async def _give_back(ctx: Context, schedule: ScheduleSnapshot) -> None:
    """Nothing was posted: the day's claim goes back, so a later run may send."""
    async with ctx.services.db.transaction() as session:
        await store.release_run(
            session, workspace=ctx.workspace, kind=schedule.kind, previous=schedule.last_run_on
        )


async def _post(
    ctx: Context,
    schedule: ScheduleSnapshot,
    *,
    channel: ChannelRole,
    message: Message,
    event: IdeaAuditKind,
    detail: dict[str, object],
) -> Outcome:
    try:
        await ctx.port.post(channel=channel, message=message)
    except PlatformError:
        await _give_back(ctx, schedule)
        raise
    now = ctx.services.clock.now()
    async with ctx.services.db.transaction() as session:
        await store.mark_sent(session, workspace=ctx.workspace, kind=schedule.kind, at=now)
        ctx.audit(session, event, at=now, detail=detail)
    return Outcome.SENT


async def run_digest(ctx: Context) -> Outcome:
    """The weekly digest to the steering channel: open ideas oldest first, with age and
    proposer, due dates coming up, and what was done since the last digest."""
    today = local_today(ctx)
    stop, schedule = await _claim(ctx, ReminderKind.DIGEST, today)
    if stop is not None:
        return stop
    now = ctx.services.clock.now()
    since = schedule.last_sent_at or now - timedelta(days=7)
    async with ctx.services.db.session() as session:
        open_ideas = await idea_store.open_ideas(session, workspace=ctx.workspace, awake_at=now)
        done = await idea_store.done_since(session, workspace=ctx.workspace, since=since)
    if not open_ideas and not done:
        log.info("digest in %s: no open ideas and nothing done; no message", ctx.workspace)
        return Outcome.NOTHING
    message = digest_message(ctx, open_ideas=open_ideas, done=done, today=today)
    return await _post(
        ctx,
        schedule,
        channel=ChannelRole.STEERING,
        message=message,
        event=IdeaAuditKind.DIGEST_SENT,
        detail={"open": [i.id for i in open_ideas], "done": [i.id for i in done]},
    )


def digest_message(
    ctx: Context,
    *,
    open_ideas: list[IdeaSnapshot],
    done: list[IdeaSnapshot],
    today: date,
) -> Message:
    lines = [idea_line(i, ctx=ctx, today=today) for i in open_ideas[:LIST_LIMIT]]
    if len(open_ideas) > LIST_LIMIT:
        lines.append(f"...and {len(open_ideas) - LIST_LIMIT} more: /idea list shows them all.")
    summary = (
        f"{len(open_ideas)} open campaign idea{'' if len(open_ideas) == 1 else 's'}, oldest first:"
        if open_ideas
        else "No open campaign ideas this week."
    )
    fields: list[MessageField] = []
    horizon = today + timedelta(days=COMING_UP_DAYS)
    coming = sorted(
        (i for i in open_ideas if i.due_on and i.due_on <= horizon),
        key=lambda i: (i.due_on or today, i.id),
    )
    if coming:
        fields.append(
            MessageField(
                "Coming up",
                "\n".join(
                    f"#{i.id} due {friendly_day(i.due_on or today, today=today)}"
                    + (" (overdue)" if (i.due_on or today) < today else "")
                    for i in coming
                ),
            )
        )
    if done:
        fields.append(
            MessageField(
                "Done since the last digest",
                "\n".join(f"#{i.id} {i.text[:80]} ({i.closed_by})" for i in done),
            )
        )
    return Message(
        title="Campaign ideas: this week's digest",
        body=text(_greeting(ctx, Group.STEERING), summary, "\n" if lines else "", "\n".join(lines)),
        fields=tuple(fields),
        footer="/idea done N when one is done, /idea snooze N 2w to put one off.",
        tone=Tone.INFO,
    )


async def run_due_reminders(ctx: Context) -> Outcome:
    """One message per open idea that falls due today, on that morning, once."""
    today = local_today(ctx)
    stop, _schedule = await _claim(ctx, ReminderKind.DUE, today)
    if stop is not None:
        return stop
    now = ctx.services.clock.now()
    async with ctx.services.db.session() as session:
        ideas = await idea_store.open_ideas(session, workspace=ctx.workspace, awake_at=now)
    due = [i for i in ideas if i.due_on == today]
    sent = 0
    for idea in due:
        async with ctx.services.db.transaction() as session:
            if not await idea_store.claim_due_reminder(session, idea_id=idea.id, day=today):
                continue
        created = idea.created_at.astimezone(ctx.services.config.timezone).date()
        message = Message(
            title=f"Idea {idea.id} is due today",
            body=text(
                _greeting(ctx, Group.STEERING),
                f"{idea.author_name} suggested this {age_words((today - created).days)}:",
            ),
            quote=idea.text,
            footer=f"/idea done {idea.id} when it is done, /idea snooze {idea.id} 1w to move it.",
            tone=Tone.WARNING,
        )
        try:
            await ctx.port.post(channel=ChannelRole.STEERING, message=message)
        except PlatformError:
            async with ctx.services.db.transaction() as session:
                await idea_store.release_due_reminder(session, idea_id=idea.id)
            log.exception("due reminder for idea %s in %s failed", idea.id, ctx.workspace)
            continue
        sent += 1
        async with ctx.services.db.transaction() as session:
            ctx.audit(
                session,
                IdeaAuditKind.DUE_REMINDER_SENT,
                at=ctx.services.clock.now(),
                detail={"idea": idea.id},
            )
    return Outcome.SENT if sent else Outcome.NOTHING


async def run_nudge(ctx: Context) -> Outcome:
    """One message to the review channel, mentioning the editors, listing the proposals
    waiting for them, oldest first."""
    today = local_today(ctx)
    stop, schedule = await _claim(ctx, ReminderKind.NUDGE, today)
    if stop is not None:
        return stop
    async with ctx.services.db.session() as session:
        waiting, count = await proposal_store.waiting_for_decision(session, workspace=ctx.workspace)
    if not waiting:
        return Outcome.NOTHING
    tz = ctx.services.config.timezone
    lines = []
    for proposal in waiting[:LIST_LIMIT]:
        days = (today - proposal.created_at.astimezone(tz).date()).days
        first = " ".join(proposal.text.split())
        snippet = first if len(first) <= 70 else first[:67] + "..."
        lines.append(
            f"#{proposal.id} from {proposal.author_name}, proposed {age_words(days)}: {snippet}"
        )
    if count > LIST_LIMIT:
        lines.append(f"...and {count - LIST_LIMIT} more.")
    message = Message(
        title="Proposals waiting for an editor",
        body=text(
            _greeting(ctx, Group.EDITORS),
            f"{count} proposal{' is' if count == 1 else 's are'} waiting for a decision, "
            "oldest first:\n",
            "\n".join(lines),
        ),
        footer="React on each review card to approve, reject or ask for changes.",
        tone=Tone.INFO,
    )
    return await _post(
        ctx,
        schedule,
        channel=ChannelRole.REVIEW,
        message=message,
        event=IdeaAuditKind.NUDGE_SENT,
        detail={"waiting": [p.id for p in waiting]},
    )


async def run_kpi_digest(ctx: Context) -> Outcome:
    """Last week's KPIs and chart to the steering channel, as `/stats last week` shows them."""
    today = local_today(ctx)
    stop, schedule = await _claim(ctx, ReminderKind.KPIS, today)
    if stop is not None:
        return stop
    try:
        period, message = await kpi_digest_message(ctx)
    except Exception:
        await _give_back(ctx, schedule)
        raise
    return await _post(
        ctx,
        schedule,
        channel=ChannelRole.STEERING,
        message=message,
        event=IdeaAuditKind.KPI_DIGEST_SENT,
        detail={
            "from": period.current.start.isoformat(),
            "to": period.current.end.isoformat(),
        },
    )
