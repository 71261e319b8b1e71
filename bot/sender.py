"""The outbox's loop: sends what the handlers could not send at once.

Every second it reads each platform's due rows and starts one task per proposal
(handlers/outbox.py `send`: its messages in order, one attempt each), so a message
waiting out a Retry-After holds up nothing, and a slow answer only the messages
about the same proposal. A row's next try is stored with it, so a restart picks up
where the last process stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Sequence

from bot.platforms.base import Platform
from handlers import outbox
from handlers.context import Context, Services
from storage import outbox as store

log = logging.getLogger(__name__)

AT_ONCE = 20  # proposals sent at once at most, so a backlog does not flood the platform


class OutboxSender:
    def __init__(self, *, services: Services, every: float = 1.0) -> None:
        self._services = services
        self._every = every
        self._loop: asyncio.Task[None] | None = None
        self._sending: dict[int, asyncio.Task[None]] = {}  # by proposal

    async def start(self, platforms: Sequence[Platform]) -> None:
        async with self._services.db.transaction() as session:
            await store.release_leases(session, now=self._services.clock.now())
        contexts = [
            Context(services=self._services, port=p.port, workspace=p.workspace) for p in platforms
        ]
        self._loop = asyncio.create_task(self._run(contexts))

    async def stop(self) -> None:
        # A message cut short is tried again at the next start, which looks for it first.
        tasks = [t for t in (self._loop, *self._sending.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._loop = None

    async def _run(self, contexts: list[Context]) -> None:
        while True:
            for ctx in contexts:
                try:
                    await self._start_due(ctx)
                    await outbox.report_undelivered(ctx)
                except Exception as exc:  # the database is away: the next round tries again
                    log.warning("the outbox could not be read: %s", type(exc).__name__)
            await asyncio.sleep(self._every)

    async def _start_due(self, ctx: Context) -> None:
        async with ctx.services.db.session() as session:
            due = await store.due_proposals(
                session, workspace=ctx.workspace, now=ctx.services.clock.now()
            )
        for proposal_id in due:
            if len(self._sending) >= AT_ONCE:
                return
            if proposal_id in self._sending:
                continue
            task = asyncio.create_task(outbox.send(ctx, proposal_id=proposal_id))
            task.add_done_callback(functools.partial(self._finished, proposal_id))
            self._sending[proposal_id] = task

    def _finished(self, proposal_id: int, _task: asyncio.Task[None]) -> None:
        self._sending.pop(proposal_id, None)
