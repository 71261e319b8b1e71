"""Acknowledged Discord work in progress (a command after its defer, a vote), so a
stop can let it finish briefly instead of leaving it half done. What a stop still
cuts short is in the durable inbox and runs again at the next start."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)


class InFlight:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[object]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    @contextmanager
    def tracking(self) -> Iterator[None]:
        """Count the current task as in flight while the block runs."""
        task = asyncio.current_task()
        if task is None:
            yield
            return
        self._tasks.add(task)
        try:
            yield
        finally:
            self._tasks.discard(task)

    async def drain(self, *, grace: float) -> None:
        """Wait up to `grace` seconds for the work in flight, then cancel the rest."""
        tasks = self._tasks - {asyncio.current_task()}
        if not tasks:
            return
        _done, pending = await asyncio.wait(tasks, timeout=grace)
        if not pending:
            return
        log.warning(
            "shutting down: %d pieces of Discord work did not finish within %.1f s and were "
            "stopped; the inbox keeps them for the next start",
            len(pending),
            grace,
        )
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
