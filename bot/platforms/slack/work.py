"""Work that runs after Slack has its ack: a queue of pieces whose failures are logged,
and which shutdown waits for (briefly) instead of stopping silently. The deliveries
themselves are in the durable inbox (`handlers.inbox`), so work stopped here runs
again at the next start.

Queued work runs one piece at a time by default (`limit`), in arrival order: a reaction
added then removed is handled in that order. Work that cannot wait (opening a form
before its trigger expires) skips the queue.

Acks come first. Slack gives each delivery three seconds; the work has no deadline. So
a queued piece starts only once no delivery has come in for `quiet` seconds: in a burst
(a flurry of reactions, a retry storm, the replay after a restart meeting new traffic)
the event loop acks everything first, and the work starts in the first pause. Under
load that never pauses, a piece still starts after waiting `longest_wait` (5 s), so the
work always moves. Once started, a piece runs to its end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 1
# Short enough that no one notices the wait; long enough to see that a burst is over
# (a Slack delivery is read and acked in well under a millisecond). A storm of a few
# seconds (Slack redelivering after an outage, the replay after a restart meeting new
# traffic) is acked in full first; under load that never pauses, the work still moves.
QUIET_SECONDS = 0.02
LONGEST_WAIT_SECONDS = 5.0

_Work = Coroutine[Any, Any, None]


class _Receiving:
    """The context manager of `AfterAck.receiving`: one object, reused, because it
    wraps every delivery before its ack (a generator-based one took about five times as
    long, a microsecond a delivery)."""

    __slots__ = ("_work",)

    def __init__(self, work: AfterAck) -> None:
        self._work = work

    def __enter__(self) -> None:
        self._work._receiving += 1

    def __exit__(self, *_exc: object) -> None:
        self._work._received()


class AfterAck:
    def __init__(
        self,
        *,
        limit: int = DEFAULT_LIMIT,
        quiet: float = QUIET_SECONDS,
        longest_wait: float = LONGEST_WAIT_SECONDS,
    ) -> None:
        self._limit = limit
        self._quiet = quiet
        self._longest_wait = longest_wait
        self._queue: deque[tuple[_Work, str]] = deque()
        self._tasks: set[asyncio.Task[None]] = set()  # pieces running now
        self._workers: set[asyncio.Task[None]] = set()
        self._queued = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._receiving = 0
        self._last_received = -float("inf")
        self._draining = False
        self._receiving_mark = _Receiving(self)

    def __len__(self) -> int:
        """Pieces not finished: running or waiting their turn."""
        return len(self._tasks) + len(self._queue)

    def receiving(self) -> _Receiving:
        """Mark a delivery being read and acked (`with work.receiving(): ...`): queued
        work waits until they pause."""
        return self._receiving_mark

    def _received(self) -> None:
        self._receiving -= 1
        self._last_received = time.monotonic()

    def spawn(self, work: _Work, *, what: str, queued: bool = True) -> None:
        self._idle.clear()
        if not queued:
            self._start(work, what)
            return
        self._queue.append((work, what))
        self._queued.set()
        if not self._workers:
            for n in range(self._limit):
                worker = asyncio.create_task(self._worker(), name=f"slack work queue {n}")
                self._workers.add(worker)

    def _start(self, work: _Work, what: str) -> asyncio.Task[None]:
        task = asyncio.create_task(work, name=f"slack: {what}")
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    async def _worker(self) -> None:
        while True:
            while not self._queue:
                self._queued.clear()
                await self._queued.wait()
            await self._until_quiet()
            if not self._queue:
                continue  # another worker took it meanwhile
            work, what = self._queue.popleft()
            await asyncio.wait({self._start(work, what)})

    async def _until_quiet(self) -> None:
        started = time.monotonic()
        while not self._draining:
            now = time.monotonic()
            quiet_for = now - self._last_received
            if not self._receiving and quiet_for >= self._quiet:
                return
            if now - started >= self._longest_wait:
                return
            # While a delivery is being read, the pause cannot end sooner than `quiet`.
            wait = self._quiet if self._receiving else self._quiet - quiet_for
            await asyncio.sleep(min(wait, self._longest_wait - (now - started)))

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not self._tasks and not self._queue:
            self._idle.set()
        if task.cancelled():
            if not self._draining:
                log.warning("%s was cancelled before it finished", task.get_name())
            return
        error = task.exception()
        if error is not None:
            log.error("%s failed", task.get_name(), exc_info=error)

    async def drain(self, *, grace: float) -> None:
        """Let the work run, unhurried by new deliveries, for up to `grace` seconds;
        then stop what is left, saying so."""
        self._draining = True
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(grace):
                await self._idle.wait()
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers.clear()
        running, self._tasks = set(self._tasks), set()
        waiting = list(self._queue)
        self._queue.clear()
        if not running and not waiting:
            return
        names = sorted({t.get_name() for t in running} | {f"slack: {what}" for _, what in waiting})
        log.warning(
            "shutting down: %d pieces of Slack work did not finish within %.1f s and were "
            "stopped; the inbox keeps their deliveries for the next start (%s)",
            len(running) + len(waiting),
            grace,
            ", ".join(names[:5]) + (" ..." if len(names) > 5 else ""),
        )
        for work, _what in waiting:
            work.close()  # a turn that never came: no "never awaited" warning
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
