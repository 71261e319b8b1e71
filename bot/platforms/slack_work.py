"""Work that runs after Slack has its ack: tracked tasks whose failures are logged,
and which shutdown waits for (briefly) instead of stopping silently. The deliveries
themselves are in the durable inbox (`handlers.inbox`), so work stopped here runs
again at the next start.

Work runs one piece at a time by default (`limit`), in arrival order: a burst of
commands cannot crowd the event loop and delay the next ack, and a reaction added then
removed is handled in that order. Work that cannot wait (opening a form before its
trigger expires) skips the queue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 1


class AfterAck:
    def __init__(self, *, limit: int = DEFAULT_LIMIT) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(limit)
        self._draining = False

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, work: Coroutine[Any, Any, None], *, what: str, queued: bool = True) -> None:
        runner = self._in_turn(work) if queued else work
        task = asyncio.create_task(runner, name=f"slack: {what}")
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    async def _in_turn(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            async with self._slots:
                await work
        finally:
            work.close()  # a turn that never came: no "never awaited" warning

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            if not self._draining:
                log.warning("%s was cancelled before it finished", task.get_name())
            return
        error = task.exception()
        if error is not None:
            log.error("%s failed", task.get_name(), exc_info=error)

    async def drain(self, *, grace: float) -> None:
        """Let in-flight work finish for up to `grace` seconds, then cancel the rest."""
        if not self._tasks:
            return
        _done, pending = await asyncio.wait(set(self._tasks), timeout=grace)
        if not pending:
            return
        self._draining = True
        names = sorted({task.get_name() for task in pending})
        log.warning(
            "shutting down: %d pieces of Slack work did not finish within %.1f s and were "
            "stopped; the inbox keeps their deliveries for the next start (%s)",
            len(pending),
            grace,
            ", ".join(names[:5]) + (" ..." if len(names) > 5 else ""),
        )
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
