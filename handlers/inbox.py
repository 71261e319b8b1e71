"""The durable inbox, platform-neutral: nothing acknowledged is lost when a platform
retries or a process restarts.

An adapter `accept`s a delivery (`handlers.inbox_accept`: an append to the journal on
SQLite, one insert on PostgreSQL) before it acknowledges it, then
`process`es it: the item is claimed, run through `handlers.dispatch.run_command` or
`handlers.proposals.review.handle_reaction`, and marked done. A redelivery of an accepted key
is acknowledged and not processed again. Work cut short by a stop stays pending, and
the adapter `replay`s it at its next start; the answer to a command replayed then
goes to the member privately (`ChatPort.notify`), because the platform's own way to
answer (a response URL, an interaction token) has expired by then and is never stored.

Work that was cut short after its handler had committed but before it was marked
done runs again at the next start. No vote, proposal or idea is created twice:
reactions are dropped by their event id (`ProcessedEvent`), and a command runs with
the item's key as its `Invocation.delivery_key`, which `/propose TEXT` and `/idea
TEXT` store with what they create, unique per workspace: the replay finds the
proposal or idea the first run created and answers as it did then, without a second
review card or audit event. `/propose edit N TEXT` and `/idea snooze N 2w`, which
create no row to carry the key, record it beside their change in the same
transaction (`storage.delivery_keys.record_change`), and a replay changes nothing
again. Of the other commands, most find their change already made and say so (a
proposal withdrawn, an idea marked done).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.exc import OperationalError

from handlers.context import Context
from handlers.dispatch import run_command
from handlers.events import Actor, Invocation, Reply
from handlers.inbox_accept import Acceptor, acceptor_for
from handlers.inbox_codec import Event, UnreadableEvent, dump_event, kind_of, load_event
from handlers.messages import Message
from handlers.port import PlatformError
from handlers.proposals.review import handle_reaction
from storage import inbox as store
from storage.inbox import Pending

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # an item tried this often is left alone, with its last error, not retried
KEEP_DAYS = 30
READ_ATTEMPTS = 10
READ_RETRY_SECONDS = 0.2

Answer = Callable[[Invocation, Reply], Awaitable[None]]
Refresh = Callable[[Actor], Awaitable[Actor]]


async def accept(ctx: Context, *, platform: str, key: str, event: Event) -> Pending | None:
    """Store a delivery before its ack; None when its key was accepted before."""
    return await _acceptor(ctx).accept(
        workspace=ctx.workspace,
        platform=platform,
        kind=kind_of(event),
        key=key,
        event=dump_event(event),
    )


def _acceptor(ctx: Context) -> Acceptor:
    return acceptor_for(db=ctx.services.db, clock=ctx.services.clock)


async def mark_done(ctx: Context, item: Pending) -> None:
    """The item needs no work beyond what the adapter did itself (a form it opened)."""
    stored = await _acceptor(ctx).stored(item)
    if stored is None:
        return
    async with ctx.services.db.transaction() as session:
        await store.mark_done(session, item_id=stored.id, now=ctx.services.clock.now())


def _short(exc: BaseException) -> str:
    # Our platform errors are written to be safe to log; other messages may carry
    # member text or SQL, so only their type is kept.
    if isinstance(exc, PlatformError | UnreadableEvent):
        return f"{type(exc).__name__}: {exc}"
    return type(exc).__name__


async def process(
    item: Pending,
    ctx: Context,
    *,
    answer: Answer | None = None,
    refresh: Refresh | None = None,
) -> bool:
    """Run one accepted item once; True when this call ran it to the end.

    `refresh` gives the actor as they are now (roles a platform only knows by asking);
    `answer` delivers a command's reply (by default: privately, as after a restart).
    """
    db = ctx.services.db
    stored = await _acceptor(ctx).stored(item)
    if stored is None:
        return False  # a redelivery of work already done
    item = stored
    async with db.transaction() as session:
        if not await store.claim(session, item=item):
            return False
    reply: Reply | None = None
    try:
        event = load_event(item.kind, item.event)
        if refresh is not None:
            event = replace(event, actor=await refresh(event.actor))
        if isinstance(event, Invocation):
            event = replace(event, delivery_key=item.key)
            reply = await run_command(event, ctx)
        else:
            await handle_reaction(event, ctx)
    except Exception as exc:
        log.exception("inbox item %s (%s) failed; the next start tries it again", item.id, item.key)
        async with db.transaction() as session:
            await store.mark_failed(session, item_id=item.id, error=_short(exc))
        return False
    async with db.transaction() as session:
        await store.mark_done(session, item_id=item.id, now=ctx.services.clock.now())
    if reply is not None and isinstance(event, Invocation):
        try:
            await (answer or answer_after_restart(ctx))(event, reply)
        except Exception as exc:
            log.warning("the answer to /%s could not be delivered: %s", event.command, _short(exc))
    return True


def answer_after_restart(ctx: Context) -> Answer:
    """Answer privately, saying why the answer comes this way and this late."""

    async def answer(invocation: Invocation, reply: Reply) -> None:
        note = (
            f"postgate restarted before it could answer your /{invocation.command}; "
            "this is its answer."
        )
        await ctx.port.notify(user_id=invocation.actor.id, message=_with_note(reply.message, note))

    return answer


def _with_note(message: Message, note: str) -> Message:
    footer = message.footer
    if not footer:
        return replace(message, footer=note)
    if isinstance(footer, str):
        return replace(message, footer=f"{footer}\n{note}")
    return replace(message, footer=(*footer, f"\n{note}"))


async def replayable(
    ctx: Context, *, received_before: datetime, settle: timedelta
) -> list[Pending]:
    """The workspace's pending items received before `received_before` (this process
    started), once the newest of them is `settle` old: a process still stopping may be
    finishing them."""
    items = await _pending(ctx, received_before=received_before)
    if items:
        wait = (items[-1].received_at + settle - ctx.services.clock.now()).total_seconds()
        if wait > 0:
            await asyncio.sleep(min(wait, settle.total_seconds()))
        log.info("replaying %d inbox items for %s", len(items), ctx.workspace)
    return items


async def _pending(ctx: Context, *, received_before: datetime) -> list[Pending]:
    for attempt in range(READ_ATTEMPTS):
        try:
            # What an earlier process acked but never moved out of the journal.
            await _acceptor(ctx).store_journaled()
            async with ctx.services.db.session() as session:
                return await store.pending(
                    session,
                    workspace=ctx.workspace,
                    received_before=received_before,
                    max_attempts=MAX_ATTEMPTS,
                )
        except OperationalError:
            # SQLite at start-up: a connection opening while another recovers the WAL
            # is refused at once ("database is locked"); a moment later it is not.
            if attempt == READ_ATTEMPTS - 1:
                raise
            log.info("the database is busy; looking for work to replay again in a moment")
            await asyncio.sleep(READ_RETRY_SECONDS)
    raise AssertionError("unreachable")


async def replay(
    ctx: Context,
    *,
    received_before: datetime,
    settle: timedelta,
    refresh: Refresh | None = None,
) -> int:
    """Process the pending items left by an earlier process, oldest first; how many ran."""
    ran = 0
    for item in await replayable(ctx, received_before=received_before, settle=settle):
        if await process(item, ctx, refresh=refresh):
            ran += 1
    return ran


async def prune(ctx: Context, *, days: int = KEEP_DAYS) -> str:
    """Forget finished deliveries (inbox items and reaction ids) older than `days`."""
    before = ctx.services.clock.now() - timedelta(days=days)
    async with ctx.services.db.transaction() as session:
        items = await store.prune_done(session, workspace=ctx.workspace, before=before)
        events = await store.prune_processed_events(session, workspace=ctx.workspace, before=before)
    return f"pruned {items} inbox items and {events} reaction ids older than {days} days"
