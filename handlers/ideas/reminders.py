"""`/reminders`: when the digest, due-day reminders, the editors' nudge and the weekly
KPIs go out.

Anyone may look; only editors and the steering group may change them:
`set [digest|due|nudge|kpis] "mon 09:00"` (or a cron line), `pause [KIND] [until DATE]`,
`resume [KIND]`. A pause without a date is the off switch: it lasts until resumed.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime

from handlers.commands.spec import Arg, ArgKind, Call, Command, Subcommand, usage
from handlers.context import Context
from handlers.events import Reply, Role
from handlers.ideas.dates import friendly_day, parse_day, unreadable
from handlers.ideas.digests import is_paused
from handlers.ideas.idea import local_today, nothing_changed
from handlers.ideas.schedules import ScheduleError, describe, next_run, parse_schedule
from handlers.messages import Message, MessageField, Tone
from storage import reminders as store
from storage.models import IdeaAuditKind, ReminderKind
from storage.reminders import ScheduleSnapshot

log = logging.getLogger(__name__)

_WHAT = {
    ReminderKind.DIGEST: "Ideas digest to the steering group",
    ReminderKind.DUE: "Due-day reminders for ideas",
    ReminderKind.NUDGE: "Nudge to editors about waiting proposals",
    ReminderKind.KPIS: "Last week's KPIs and chart to the steering group",
}


def _next(ctx: Context, schedule: ScheduleSnapshot, today: date) -> datetime | None:
    tz = ctx.services.config.timezone
    now = ctx.services.clock.now()
    if is_paused(schedule, today=today):
        if schedule.paused_until is None:
            return None
        return next_run(schedule.cron, timezone=tz, now=now, not_before=schedule.paused_until)
    scheduler = ctx.services.reminders
    live = scheduler.next_run(workspace=ctx.workspace, kind=schedule.kind) if scheduler else None
    return live or next_run(schedule.cron, timezone=tz, now=now)


def _when(moment: datetime | None, ctx: Context, today: date) -> str:
    if moment is None:
        return "not until someone types /reminders resume"
    local = moment.astimezone(ctx.services.config.timezone)
    return f"{friendly_day(local.date(), today=today)} at {local:%H:%M}"


async def _show(_call: Call, ctx: Context) -> Reply:
    today = local_today(ctx)
    async with ctx.services.db.transaction() as session:
        schedules = await store.all_schedules(session, workspace=ctx.workspace)
    fields = []
    for schedule in schedules:
        kind = ReminderKind(schedule.kind)
        status = describe(schedule.cron)
        if is_paused(schedule, today=today):
            until = schedule.paused_until
            status += " - paused" + (f" until {friendly_day(until, today=today)}" if until else "")
        status += f"\nNext: {_when(_next(ctx, schedule, today), ctx, today)}"
        fields.append(MessageField(f"{_WHAT[kind]} ({kind.value})", status))
    return Reply(
        Message(
            title="Reminders",
            body=f"Times are {ctx.services.config.timezone.key} time.",
            fields=tuple(fields),
            footer=usage(REMINDERS_COMMAND),
        )
    )


async def _set(call: Call, ctx: Context) -> Reply:
    invocation, spec = call.invocation, call.text("when")
    kind = ReminderKind(call.word("kind") or ReminderKind.DIGEST)
    try:
        cron = parse_schedule(spec)
    except ScheduleError as exc:
        return nothing_changed(str(exc))
    now = ctx.services.clock.now()
    async with ctx.services.db.transaction() as session:
        old = await store.set_cron(
            session,
            workspace=ctx.workspace,
            kind=kind,
            cron=cron,
            at=now,
            by=invocation.actor.name,
        )
        detail = {"kind": kind.value, "cron": cron, "was": old}
        ctx.audit(
            session, IdeaAuditKind.REMINDERS_SET, at=now, actor=invocation.actor, detail=detail
        )
    if ctx.services.reminders is not None:
        await ctx.services.reminders.reschedule(workspace=ctx.workspace, kind=kind.value, cron=cron)
    today = local_today(ctx)
    upcoming = _when(next_run(cron, timezone=ctx.services.config.timezone, now=now), ctx, today)
    note = ""
    if cron.split()[1] == "1":
        note = (
            " (01:00-01:59 happens twice or not at all when the clocks change; "
            "postgate still sends once.)"
        )
    return Reply(
        Message(
            body=f"{_WHAT[kind]}: {describe(cron)}. Next: {upcoming}.{note}",
            tone=Tone.SUCCESS,
        )
    )


async def _pause_or_resume(call: Call, ctx: Context) -> Reply:
    verb, invocation = call.subcommand, call.invocation
    words = call.text("until").split()
    kind = call.word("kind")
    kinds = [ReminderKind(kind)] if kind else list(ReminderKind)
    today = local_today(ctx)
    until: date | None = None
    if verb == "pause" and words:
        if words[0].lower() == "until":
            words = words[1:]
        typed = " ".join(words)
        until = parse_day(typed, today=today)
        if until is None:
            return nothing_changed(
                unreadable(typed)
                or f'postgate could not read "{typed}" as a date. Try 2027-01-05, 5 Jan or 2w.'
            )
        if until < today:
            return nothing_changed(
                f"{friendly_day(until, today=today, starts=True)} has already passed; "
                "pause until a day after today."
            )
        if until == today:
            return nothing_changed("Pause until a day after today.")
    now = ctx.services.clock.now()
    async with ctx.services.db.transaction() as session:
        await store.set_paused(
            session,
            workspace=ctx.workspace,
            kinds=kinds,
            paused=verb == "pause",
            until=until,
            at=now,
            by=invocation.actor.name,
        )
        ctx.audit(
            session,
            IdeaAuditKind.REMINDERS_PAUSED if verb == "pause" else IdeaAuditKind.REMINDERS_RESUMED,
            at=now,
            actor=invocation.actor,
            detail={"kinds": [k.value for k in kinds], "until": until and until.isoformat()},
        )
    which = "All reminders" if len(kinds) > 1 else _WHAT[kinds[0]]
    if verb == "resume":
        body = f"{which}: back on. /reminders shows when they next go out."
    elif until:
        body = f"{which}: paused until {friendly_day(until, today=today)}."
    else:
        body = f"{which}: paused until someone types /reminders resume."
    return Reply(Message(body=body, tone=Tone.SUCCESS))


_KIND = Arg(
    name="kind",
    shown="[digest|due|nudge|kpis]",
    kind=ArgKind.WORD,
    description="which reminder (all of them when left out)",
    optional=True,
    choices=tuple(k.value for k in ReminderKind),
    aliases={
        "digests": "digest",
        "idea": "digest",
        "ideas": "digest",
        "dues": "due",
        "deadline": "due",
        "deadlines": "due",
        "nudges": "nudge",
        "editor": "nudge",
        "editors": "nudge",
        "approval": "nudge",
        "approvals": "nudge",
        "kpi": "kpis",
        "stat": "kpis",
        "stats": "kpis",
    },
)
_CHANGERS = frozenset({Role.EDITOR, Role.STEERING})
_REFUSAL = (
    "Only editors and the steering group can change the reminders. "
    "/reminders shows when they go out."
)

REMINDERS_COMMAND = Command(
    name="reminders",
    summary="When the ideas digest, editors' nudge and weekly KPIs go out; editors and "
    "steering can change them",
    subcommands=(
        Subcommand(
            name="show",
            summary="when each reminder next goes out",
            handler=_show,
            aliases=("list", "status"),
        ),
        Subcommand(
            name="set",
            summary="changes when a reminder goes out",
            handler=_set,
            meant_by=("change", "schedule", "move", "edit"),
            args=(
                _KIND,
                Arg(
                    name="when",
                    shown='"mon 09:00"',
                    kind=ArgKind.TEXT,
                    description='a day and time ("mon 09:00") or a cron line',
                    problem='Say when, for example: /reminders set "mon 09:00".',
                ),
            ),
            roles=_CHANGERS,
            refusal=_REFUSAL,
        ),
        Subcommand(
            name="pause",
            summary="stops a reminder, until a day or until resumed",
            handler=_pause_or_resume,
            meant_by=("stop", "off", "disable", "mute", "snooze"),
            args=(
                replace(_KIND, shown="[KIND]"),
                Arg(
                    name="until",
                    shown="[until DATE]",
                    kind=ArgKind.TEXT,
                    description="the day it starts again (until resumed when left out)",
                    optional=True,
                ),
            ),
            roles=_CHANGERS,
            refusal=_REFUSAL,
        ),
        Subcommand(
            name="resume",
            summary="starts a paused reminder again",
            handler=_pause_or_resume,
            meant_by=("start", "on", "enable", "unpause", "unmute", "restart"),
            args=(replace(_KIND, shown="[KIND]"),),
            roles=_CHANGERS,
            refusal=_REFUSAL,
        ),
    ),
    plain="show",
    arg_description='set "mon 09:00" / pause [until DATE] / resume',
)
