"""`/idea`: the steering group's backlog of campaign ideas.

`/idea TEXT [--due DATE] [#tag ...]` adds one; `list [#tag]`, `show N`, `done N`,
`drop N` and `snooze N 2w` look after them. Bad input gets a kind reply and changes
nothing.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.commands.spec import Arg, ArgKind, Call, Command, Subcommand, usage_lines
from handlers.context import Context
from handlers.events import Actor, Invocation, Reply
from handlers.ideas.dates import MAX_AHEAD_DAYS, friendly_day, parse_day, read_span, unreadable
from handlers.ideas.dates import age as age_words
from handlers.messages import Message, MessageField, Tone
from storage import ideas as store
from storage.ideas import IdeaSnapshot
from storage.models import IdeaAuditKind, IdeaStatus

MAX_TEXT = 1000
LIST_LIMIT = 25
_TAG = re.compile(r"(?<![\w&])#([A-Za-z][\w-]{0,39})")
_DUE = re.compile(r"(?:^|\s)--due(?:=|\s+)(\S.*)$", re.IGNORECASE | re.DOTALL)
_DUE_WORD = re.compile(r"(?:^|\s)--due(?:=|\s|$)", re.IGNORECASE)
_NO_DATE = "--due needs a date, for example --due 12 Jan."

# What each verb does to an idea, said in a sentence ("can mark idea 3 done").
_DOING = {"done": "mark idea {id} done", "drop": "drop idea {id}", "snooze": "snooze idea {id}"}


def _reply(body: str, *, tone: Tone = Tone.NEUTRAL, title: str = "") -> Reply:
    return Reply(Message(title=title, body=body, tone=tone))


def nothing_changed(body: str) -> Reply:
    """The reply to an idea or reminder command that cannot be used: it changed nothing."""
    return _reply(body + " Nothing was changed.", tone=Tone.WARNING)


def local_today(ctx: Context) -> date:
    return ctx.services.clock.now().astimezone(ctx.services.config.timezone).date()


def start_of_day(day: date, ctx: Context) -> datetime:
    """Midnight of a local day, in UTC."""
    return datetime.combine(day, time(0), tzinfo=ctx.services.config.timezone).astimezone(UTC)


def tags_in(text: str) -> list[str]:
    return list(dict.fromkeys(tag.lower() for tag in _TAG.findall(text)))


def split_due(text: str, *, today: date) -> tuple[str, date | None, str | None]:
    """(text without the `--due` part, the due day, an error for the member or None).

    The date may be several words (`--due 1 Dec`), so the longest run of words after
    `--due` that reads as a date wins and the rest stays in the idea's text.
    """
    marks = len(_DUE_WORD.findall(text))
    if marks > 1:
        return text, None, f"Give one --due date; this idea has {marks}."
    match = _DUE.search(text)
    if match is None:
        return text, None, _NO_DATE if marks else None
    before = text[: match.start()].rstrip()
    words = match.group(1).split()
    for length in range(min(4, len(words)), 0, -1):
        day = parse_day(" ".join(words[:length]), today=today)
        if day is not None:
            rest = " ".join(words[length:])
            return f"{before} {rest}".strip(), day, None
    tried = " ".join(words[:3])
    why = unreadable(tried) or (
        f'postgate could not read "{tried}" as a date. Try 2026-12-01, "1 Dec", '
        '"tomorrow" or "friday".'
    )
    return text, None, why


async def _help(_call: Call, _ctx: Context) -> Reply:
    return _reply(
        "Keep campaign ideas where the steering group will see them.\n"
        "/idea Leaflet the new estate --due 1 Dec #housing\n" + usage_lines(IDEA_COMMAND),
        title="/idea",
    )


async def _add(call: Call, ctx: Context) -> Reply:
    text, invocation = call.text("text"), call.invocation
    today = local_today(ctx)
    body, due, problem = split_due(text, today=today)
    if problem:
        return nothing_changed(problem)
    if not body.strip() or not re.sub(_TAG, "", body).strip():
        return nothing_changed(
            "Write the idea itself after /idea, for example: /idea Street stall."
        )
    if len(body) > MAX_TEXT:
        return nothing_changed(
            f"That idea is {len(body):,} characters long; the limit is {MAX_TEXT:,}. "
            f"Please shorten it by {len(body) - MAX_TEXT:,} characters and send it again."
        )
    if due is not None and due < today:
        return nothing_changed(
            f"{friendly_day(due, today=today, starts=True)} has already passed; pick a later date."
        )
    if due is not None and due > today + timedelta(days=MAX_AHEAD_DAYS):
        return nothing_changed(
            f"{friendly_day(due, today=today)} is more than three years away; "
            "check the date and try again."
        )
    async with ctx.services.db.transaction() as session:
        idea = await store.add_idea(
            session,
            workspace=ctx.workspace,
            text=body,
            tags=tags_in(body),
            author_id=invocation.actor.id,
            author_name=invocation.actor.name,
            now=ctx.services.clock.now(),
            due_on=due,
        )
    extra = f" Due {friendly_day(due, today=today)}." if due else ""
    return _reply(
        f"Idea {idea.id} is on the list.{extra} The steering group sees it in the next digest.",
        tone=Tone.SUCCESS,
    )


async def _list(call: Call, ctx: Context) -> Reply:
    # `list #housing` and `list housing` both filter by the tag
    wanted = {w.lstrip("#").lower() for w in call.text("tags").split() if w.lstrip("#")}
    async with ctx.services.db.session() as session:
        ideas = await store.open_ideas(session, workspace=ctx.workspace)
    if wanted:
        ideas = [i for i in ideas if wanted & set(i.tags)]
    label = " tagged " + ", ".join(f"#{t}" for t in sorted(wanted)) if wanted else ""
    if not ideas:
        return _reply(f"No open ideas{label}. Add one with /idea TEXT.")
    today = local_today(ctx)
    lines = [idea_line(i, ctx=ctx, today=today) for i in ideas[:LIST_LIMIT]]
    if len(ideas) > LIST_LIMIT:
        lines.append(f"...and {len(ideas) - LIST_LIMIT} more.")
    return _reply("\n".join(lines), title=f"Open ideas{label}, oldest first ({len(ideas)})")


def idea_line(idea: IdeaSnapshot, *, ctx: Context, today: date) -> str:
    """`#4 Street stall - Sam, 3 days ago, due Fri 4 Dec`: one line of a list."""
    created = idea.created_at.astimezone(ctx.services.config.timezone).date()
    parts = [idea.author_name, age_words((today - created).days)]
    if idea.due_on:
        parts.append(f"due {friendly_day(idea.due_on, today=today)}")
    if idea.snoozed_until and idea.snoozed_until > ctx.services.clock.now():
        woken = idea.snoozed_until.astimezone(ctx.services.config.timezone).date()
        parts.append(f"snoozed until {friendly_day(woken, today=today)}")
    short = idea.text if len(idea.text) <= 120 else idea.text[:117] + "..."
    return f"#{idea.id} {short} - {', '.join(parts)}"


def _may_change(actor: Actor, idea: IdeaSnapshot) -> bool:
    return actor.is_editor or actor.is_steering or actor.id == idea.author_id


async def _act_on(call: Call, ctx: Context) -> Reply:
    verb, invocation = call.subcommand, call.invocation
    idea_id = call.number("number") or 0
    today = local_today(ctx)
    now = ctx.services.clock.now()
    async with ctx.services.db.transaction() as session:
        idea = await store.get_idea(session, workspace=ctx.workspace, idea_id=idea_id)
        if idea is None:
            return nothing_changed(f"There is no idea {idea_id}. /idea list shows the open ones.")
        if verb == "show":
            return Reply(_show(idea, ctx=ctx, today=today))
        if not _may_change(invocation.actor, idea):
            return nothing_changed(
                f"Only the steering group, editors or {idea.author_name} (who added it) "
                f"can {_DOING.get(verb, verb + ' idea {id}').format(id=idea.id)}."
            )
        if idea.status != IdeaStatus.OPEN:
            return nothing_changed(f"Idea {idea.id} is already {idea.status}.")
        if verb == "snooze":
            return await _snooze(
                idea, call.text("length"), invocation, ctx, today=today, now=now, session=session
            )
        await store.close_idea(
            session,
            idea_id=idea.id,
            status=IdeaStatus.DONE if verb == "done" else IdeaStatus.DROPPED,
            at=now,
            by=invocation.actor.name,
        )
        kind = IdeaAuditKind.IDEA_DONE if verb == "done" else IdeaAuditKind.IDEA_DROPPED
        ctx.audit(session, kind, at=now, actor=invocation.actor, detail={"idea": idea.id})
    if verb == "done":
        return _reply(
            f"Idea {idea.id} is done. Well done! The next digest will say so.",
            tone=Tone.SUCCESS,
        )
    return _reply(f"Idea {idea.id} is off the list.", tone=Tone.SUCCESS)


async def _snooze(
    idea: IdeaSnapshot,
    span: str,
    invocation: Invocation,
    ctx: Context,
    *,
    today: date,
    now: datetime,
    session: AsyncSession,
) -> Reply:
    until = parse_day(span, today=today)
    length = read_span(span)
    if length is not None and length[0] == 0:
        return nothing_changed(f'"{span}" is no time at all: snooze for at least a day (1d).')
    past_the_limit = until is None and length is not None  # "100m": a span, too long
    if past_the_limit or (until is not None and until > today + timedelta(days=366)):
        return nothing_changed(
            f'"{span}" is more than a year: snooze for at most a year (12m, 52w or 366d); '
            "/idea drop takes an idea off the list."
        )
    if until is None:
        return nothing_changed(
            unreadable(span) or f'postgate could not read "{span}" as a time; try 3d, 2w or 1m.'
        )
    if until < today:
        return nothing_changed(
            f"{friendly_day(until, today=today, starts=True)} has already passed; "
            "pick a later date."
        )
    if until == today:
        return nothing_changed("A snooze has to end after today.")
    await store.snooze_idea(session, idea_id=idea.id, until=start_of_day(until, ctx))
    detail = {"idea": idea.id, "until": until.isoformat()}
    ctx.audit(session, IdeaAuditKind.IDEA_SNOOZED, at=now, actor=invocation.actor, detail=detail)
    return _reply(
        f"Idea {idea.id} is snoozed until {friendly_day(until, today=today)}; "
        "the digest leaves it out until then.",
        tone=Tone.SUCCESS,
    )


def _show(idea: IdeaSnapshot, *, ctx: Context, today: date) -> Message:
    tz = ctx.services.config.timezone
    created = idea.created_at.astimezone(tz)
    added = friendly_day(created.date(), today=today)
    age = age_words((today - created.date()).days)
    fields = [
        MessageField("Added by", idea.author_name),
        MessageField("Added", added if age in added else f"{added} ({age})"),
        MessageField("Status", idea.status),
    ]
    if idea.due_on:
        fields.append(MessageField("Due", friendly_day(idea.due_on, today=today)))
    if idea.tags:
        fields.append(MessageField("Tags", " ".join(f"#{t}" for t in idea.tags)))
    if (
        idea.status == IdeaStatus.OPEN
        and idea.snoozed_until
        and idea.snoozed_until > (ctx.services.clock.now())
    ):
        woken = idea.snoozed_until.astimezone(tz).date()
        fields.append(MessageField("Snoozed until", friendly_day(woken, today=today)))
    if idea.closed_at and idea.closed_by:
        closed = idea.closed_at.astimezone(tz).date()
        fields.append(
            MessageField(
                idea.status.capitalize(),
                f"{friendly_day(closed, today=today)} by {idea.closed_by}",
            )
        )
    return Message(title=f"Idea {idea.id}", quote=idea.text, fields=tuple(fields))


_NUMBER = Arg(
    name="number",
    shown="N",
    kind=ArgKind.NUMBER,
    description="the idea's number",
    problem="Say which idea by its number: {usage}.",
)


def _on_one(name: str, summary: str, *, meant_by: tuple[str, ...]) -> Subcommand:
    return Subcommand(
        name=name, summary=summary, handler=_act_on, args=(_NUMBER,), meant_by=meant_by
    )


IDEA_COMMAND = Command(
    name="idea",
    summary="Add a campaign idea to the steering group's list, or look after the list",
    subcommands=(
        Subcommand(
            name="add",
            summary="adds an idea, with a due day and tags if you like",
            handler=_add,
            args=(
                Arg(
                    name="text",
                    shown="TEXT [--due DATE] [#tag]",
                    kind=ArgKind.TEXT,
                    description="the idea, with --due DATE and #tags if you like",
                    problem="Write the idea itself after /idea, for example: /idea Street stall.",
                ),
            ),
        ),
        Subcommand(
            name="list",
            summary="the open ideas, oldest first",
            handler=_list,
            meant_by=("ls", "all", "mine", "backlog", "status"),
            args=(
                Arg(
                    name="tags",
                    shown="[#tag]",
                    kind=ArgKind.TEXT,
                    description="only the ideas with these tags",
                    optional=True,
                ),
            ),
        ),
        _on_one("show", "one idea in full", meant_by=("view", "see", "open", "get", "read")),
        _on_one(
            "done",
            "marks an idea done",
            meant_by=("complete", "completed", "finish", "finished", "close", "tick"),
        ),
        _on_one(
            "drop",
            "takes an idea off the list",
            meant_by=("delete", "remove", "cancel", "bin", "discard", "undo"),
        ),
        Subcommand(
            name="snooze",
            summary="leaves an idea out of the digest for a while",
            handler=_act_on,
            meant_by=("later", "postpone", "defer", "delay", "pause", "hide"),
            args=(
                _NUMBER,
                Arg(
                    name="length",
                    shown="2w",
                    kind=ArgKind.TEXT,
                    description="how long: 3d, 2w, 1m or a date",
                    problem="Say for how long: {usage} (d, w or m).",
                ),
            ),
        ),
        Subcommand(name="help", summary="what /idea does", handler=_help),
    ),
    plain="add",
    bare="help",
    number_means="show",
    arg_description="an idea, or list / show N / done N / drop N / snooze N 2w",
)
