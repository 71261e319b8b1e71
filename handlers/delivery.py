"""Deliveries: the commands and reactions a platform hands postgate, each received
once, run once, and run again after a restart when a stop cut it short.

Slack, Discord and the local workspace call it the same way:
- `receive` stores the delivery before the platform gets its ack: one insert,
  unique per workspace by the delivery's key, so a redelivery inserts nothing and
  is not run again;
- `run` does the work. While it runs, every transaction the handlers commit also
  marks the delivery done (`storage.db.also_commit`), so the mark and the work's
  effect are committed together or not at all; work that commits nothing (a usage
  answer, a lookup) is marked done right after;
- runs take turns, in the order they came: a reaction added then taken back is
  handled in that order, and a burst's acks never wait behind all its work at once;
- `replay`, at start, runs what an earlier process received and never finished.
  The platform's own way to answer (a response URL, an interaction token) has
  expired by then and is never stored, so the answer goes to the member privately.

The mark also keeps answers true: when a command fails, the delivery's row says
whether its work was committed, even when the commit's answer was lost with its
connection, and the member is told "nothing was changed" only when nothing was.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Context
from handlers.dispatch import run_command
from handlers.events import Actor, Invocation, ReactionEvent, Reply, Role
from handlers.messages import Message, Tone
from handlers.port import MessageRef, PlatformError
from handlers.proposals.review import handle_reaction
from storage import deliveries as store
from storage.db import REFUSED_WRITES, also_commit, log_failure, refuses_writes

log = logging.getLogger(__name__)

KEEP_DAYS = 30
T = TypeVar("T")

Event = Invocation | ReactionEvent
Answer = Callable[[Reply], Awaitable[None]]
Refresh = Callable[[Actor], Awaitable[Actor]]
# Reads back the open cards' reactions, taking the given turn for each card.
ReadBack = Callable[[AbstractAsyncContextManager[object]], Awaitable[None]]


# Said to the member when the database refuses writes (`refuses_writes`).
REFUSED = "its database is full or read-only"


class NotReceived(Exception):
    """A delivery that could not be stored, so nothing of it was done or kept; `text`
    tells the member so, and whether to send it again."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    @property
    def reply(self) -> Reply:
        return _sorry(self.text)


class Turn(AbstractAsyncContextManager[None]):
    """Held by one run at a time, in the order they came (asyncio.Lock is fair), and by
    none before `open` when an earlier process's deliveries are to run first."""

    def __init__(self, *, closed: bool) -> None:
        self.lock = asyncio.Lock()
        self._open = asyncio.Event()
        if not closed:
            self._open.set()

    def open(self) -> None:
        self._open.set()

    async def __aenter__(self) -> None:
        await self._open.wait()
        await self.lock.acquire()

    async def __aexit__(self, *_exc: object) -> None:
        self.lock.release()


class Deliveries:
    """One platform's deliveries in one workspace. `refresh` gives the actor as they
    are now, for a platform that only knows roles by asking (Slack). `replay_first`:
    the platform replays at start, and nothing received since (nor a read-back of the
    cards) runs before what an earlier process acknowledged and never finished."""

    def __init__(
        self, ctx: Context, *, refresh: Refresh | None = None, replay_first: bool = False
    ) -> None:
        self.ctx = ctx
        self._refresh = refresh
        self._running: set[asyncio.Task[Any]] = set()
        self._turn = Turn(closed=replay_first)
        # Deliveries by the order they were received in, and how far the last read-back
        # of the cards reaches: a reaction received before it is already in what it read.
        self._received = 0
        self._order: dict[str, int] = {}
        self._read_upto = 0

    async def receive(self, *, key: str, event: Event) -> bool:
        """Store a delivery before its ack; False when its key was stored before.
        Raises `NotReceived` when it could not be stored."""
        services = self.ctx.services
        try:
            async with services.db.transaction() as session:
                new = await store.insert(
                    session,
                    workspace=self.ctx.workspace,
                    key=key,
                    event=_dump(event),
                    now=services.clock.now(),
                )
        except Exception as exc:
            log.error("delivery %s could not be stored: %s", key, _cause(exc))
            raise NotReceived(_not_received(event, refused=refuses_writes(exc))) from exc
        if new:
            self._received += 1
            self._order[key] = self._received
        else:
            log.info("dropped a redelivery (%s)", key)
        return new

    async def run(self, *, key: str, event: Event, answer: Answer | None = None) -> None:
        """Do a received delivery's work once and answer a command through `answer`
        (by default privately, as after a restart). Never raises but to cancel."""
        with self.in_progress():
            order = self._order.pop(key, 0)
            async with self._turn:
                if isinstance(event, ReactionEvent) and 0 < order <= self._read_upto:
                    # Made before the cards were read back: counted (or not) by that.
                    reply = None
                    await self._skip(key)
                else:
                    reply = await self._work(key, event)
            await self._answer(event, reply, answer)

    async def _answer(self, event: Event, reply: Reply | None, answer: Answer | None) -> None:
        if reply is not None and isinstance(event, Invocation):
            try:
                await (answer or self._privately(event))(reply)
            except Exception as exc:
                log.warning("the answer to /%s was not delivered: %s", event.command, _short(exc))

    async def read_back(self, read_back: ReadBack) -> None:
        """Read the cards back, each card in its turn. The reactions received until now
        are in what it reads, so those still waiting are not run (a reaction taken back
        since would otherwise count for a moment, perhaps decisively)."""
        self._read_upto = self._received
        await read_back(self._turn)

    async def _skip(self, key: str) -> None:
        try:
            await self.done(key=key)
        except Exception as exc:
            log.warning("delivery %s was not marked done: %s", key, _cause(exc))

    def spawn(self, work: Coroutine[Any, Any, T], *, name: str) -> asyncio.Task[T]:
        """Start `work` (a delivery's run after its ack, a replay) in a task of its own,
        which `stop` waits for like any other run."""
        task = asyncio.create_task(work, name=name)
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task

    @contextmanager
    def in_progress(self) -> Iterator[None]:
        """Count the current task as work in progress (which `stop` waits for, then
        cancels) while the block runs: a platform's whole handling of a delivery."""
        task = asyncio.current_task()
        if task is None or task in self._running:
            yield
            return
        self._running.add(task)
        try:
            yield
        finally:
            self._running.discard(task)

    async def done(self, *, key: str) -> None:
        """Mark a delivery done whose work the platform did itself (a form it opened)."""
        async with self.ctx.services.db.transaction() as session:
            await self._mark_done(session, key=key)

    async def _mark_done(self, session: AsyncSession, *, key: str) -> bool:
        return await store.mark_done(
            session, workspace=self.ctx.workspace, key=key, now=self.ctx.services.clock.now()
        )

    async def _work(self, key: str, event: Event) -> Reply | None:
        try:
            reply = await self._handle(key, event)
        except Exception as exc:
            log_failure(log, exc, "delivery %s in %s failed", key, self.ctx.workspace)
            if isinstance(event, Invocation):
                return await self._after_failure(key, event, refused=refuses_writes(exc))
            return None  # a reaction: left pending, tried again at the next start
        try:
            await self.done(key=key)  # when no transaction of the work did
        except Exception as exc:
            log.warning("delivery %s ran but was not marked done: %s", key, _cause(exc))
        return reply

    async def _handle(self, key: str, event: Event) -> Reply | None:
        token = also_commit.set(functools.partial(self._mark_done, key=key))
        try:
            if self._refresh is not None:
                event = replace(event, actor=await self._refresh(event.actor))
            if isinstance(event, Invocation):
                return await run_command(event, self.ctx)
            await handle_reaction(event, self.ctx)
            return None
        finally:
            also_commit.reset(token)

    async def _after_failure(self, key: str, invocation: Invocation, *, refused: bool) -> Reply:
        """The true answer to a failed command: marked done now, its work never was
        committed and never will be; found done, its work was committed. `refused`: it
        failed because the database refuses writes."""
        command = invocation.command
        try:
            async with self.ctx.services.db.transaction() as session:
                nothing_done = await self._mark_done(session, key=key)
        except Exception as exc:
            log.warning("could not tell whether delivery %s was done: %s", key, _cause(exc))
            if refused or refuses_writes(exc):
                # Its work was not committed, and it stays pending: the next start runs it.
                return _sorry(
                    f"Sorry, postgate could not do your /{command} yet: {REFUSED}. Nothing "
                    f"was changed. postgate keeps your /{command} and does it when it next "
                    "starts, once an IT officer has fixed this, and tells you then; there is "
                    "no need to send it again."
                )
            return _sorry(
                f"Sorry, something went wrong with /{command}, and postgate could not check "
                "whether it went through. Please look before you send it again (/help lists "
                "the commands that show where things stand)."
            )
        if nothing_done and refused:
            return _sorry(
                f"Sorry, postgate could not do your /{command}: {REFUSED}, so nothing was "
                "changed. Please tell an IT officer, and send it again once they have fixed it."
            )
        if nothing_done:
            return _sorry(
                f"Sorry, something went wrong with /{command} and nothing was changed. "
                "Please try again in a minute; if it keeps happening, tell an IT officer."
            )
        return _sorry(
            f"Your /{command} went through, but something went wrong before postgate could "
            "answer in full. Please don't send it again; if something looks missing, tell "
            "an IT officer."
        )

    def _privately(self, invocation: Invocation) -> Answer:
        """Answer by direct message, saying why the answer comes this way and this late."""

        async def answer(reply: Reply) -> None:
            note = (
                f"postgate restarted before it could answer your /{invocation.command}; "
                "this is its answer."
            )
            await self.ctx.port.notify(
                user_id=invocation.actor.id, message=_with_note(reply.message, note)
            )

        return answer

    async def replay(self, *, before: datetime, read_back: ReadBack | None = None) -> int:
        """Run, oldest first, the deliveries received before `before` (this process's
        start) and never finished, then what was received since, and `read_back` the
        cards in its turn after those: what changed while no process listened. The
        reactions received meanwhile are in what it reads (see `read_back`). How many
        deliveries the replay ran."""
        with self.in_progress():  # so that a stop can cancel it between runs too
            try:
                count = await self._replay(before)
            finally:
                self._turn.open()
            if read_back is not None:
                try:
                    await self.read_back(read_back)  # at once: nothing came in since
                except Exception as exc:
                    log.warning("could not read the cards back: %s", _short(exc))
            return count

    async def _replay(self, before: datetime) -> int:
        try:
            async with self.ctx.services.db.session() as session:
                pending = await store.pending(session, workspace=self.ctx.workspace, before=before)
        except Exception as exc:
            log.error(
                "could not look for deliveries to replay (%s); the next start will", _short(exc)
            )
            return 0
        if pending:
            log.info("replaying %d deliveries for %s", len(pending), self.ctx.workspace)
        for item in pending:
            try:
                event = _load(item.event)
            except (KeyError, TypeError, ValueError):
                log.error("delivery %s cannot be read and is given up", item.key)
                await self.done(key=item.key)
                continue
            async with self._turn.lock:  # before the turn opens to anything newer
                reply = await self._work(item.key, event)
            await self._answer(event, reply, None)
        return len(pending)

    async def stop(self, *, grace: float) -> None:
        """Give the work in progress `grace` seconds, then cancel it: what it had not
        committed stays pending and runs at the next start."""
        running = self._running - {asyncio.current_task()}
        if not running:
            return
        _finished, late = await asyncio.wait(running, timeout=grace)
        if not late:
            return
        log.warning(
            "shutting down: %d deliveries did not finish within %.1f s; "
            "they run again at the next start",
            len(late),
            grace,
        )
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)


async def prune(ctx: Context, *, days: int = KEEP_DAYS) -> str:
    """Forget the workspace's deliveries older than `days` (the daily job)."""
    before = ctx.services.clock.now() - timedelta(days=days)
    async with ctx.services.db.transaction() as session:
        count = await store.prune(session, workspace=ctx.workspace, before=before)
    return f"pruned {count} deliveries older than {days} days"


def _short(exc: BaseException) -> str:
    # Our platform errors are written to be safe to log; other messages may carry
    # member text or SQL, so only their type is kept.
    return f"{type(exc).__name__}: {exc}" if isinstance(exc, PlatformError) else type(exc).__name__


def _cause(exc: BaseException) -> str:
    return REFUSED_WRITES if refuses_writes(exc) else _short(exc)


def _not_received(event: Event, *, refused: bool) -> str:
    if isinstance(event, Invocation):
        what, again = f"your /{event.command}", "send it again"
    else:
        what, again = "your reaction", "react again"
    if refused:
        return (
            f"Sorry, postgate could not take {what}: {REFUSED}, so nothing was changed. "
            f"Please tell an IT officer, and {again} once they have fixed it."
        )
    return (
        f"Sorry, postgate could not take {what} just now, so nothing was changed. Please "
        f"{again} in a minute; if it keeps happening, tell an IT officer."
    )


def _sorry(text: str) -> Reply:
    return Reply(Message(body=text, tone=Tone.DANGER))


def _with_note(message: Message, note: str) -> Message:
    footer = message.footer
    if not footer:
        return replace(message, footer=note)
    if isinstance(footer, str):
        return replace(message, footer=f"{footer}\n{note}")
    return replace(message, footer=(*footer, f"\n{note}"))


def _dump(event: Event) -> dict[str, Any]:
    """The neutral event as plain JSON: what a handler is given, nothing of the
    platform's payload (no response URL, no interaction token)."""
    actor = event.actor
    data = {
        "workspace": event.workspace,
        "actor": {"id": actor.id, "name": actor.name, "roles": sorted(map(str, actor.roles))},
    }
    if isinstance(event, Invocation):
        command = {"command": event.command, "text": event.text, "channel": event.channel}
        return data | command | ({"plain": True} if event.plain else {})
    ref = event.message
    return data | {
        "emoji": event.emoji,
        "added": event.added,
        "message": None if ref is None else {"channel": ref.channel, "message_id": ref.message_id},
        "proposal_id": event.proposal_id,
        "event_id": event.event_id,
    }


def _load(data: Mapping[str, Any]) -> Event:
    who = data["actor"]
    actor = Actor(str(who["id"]), str(who["name"]), frozenset(Role(r) for r in who["roles"]))
    if "command" in data:
        return Invocation(
            workspace=str(data["workspace"]),
            actor=actor,
            command=str(data["command"]),
            text=str(data["text"]),
            channel=data.get("channel"),
            plain=bool(data.get("plain", False)),
        )
    ref = data.get("message")
    return ReactionEvent(
        workspace=str(data["workspace"]),
        actor=actor,
        emoji=str(data["emoji"]),
        added=bool(data["added"]),
        message=None if ref is None else MessageRef(str(ref["channel"]), str(ref["message_id"])),
        proposal_id=data.get("proposal_id"),
        event_id=data.get("event_id"),
    )
