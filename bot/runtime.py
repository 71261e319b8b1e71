"""One process, one asyncio loop: every enabled platform, the scheduler, one database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence
from typing import Protocol

from bot.platforms.base import Platform
from bot.settings import Settings
from handlers.context import Services
from storage.instance_lock import NO_WAIT_SECONDS, HeldLock, instance_lock
from storage.migrate import upgrade

log = logging.getLogger(__name__)


class Background(Protocol):
    """Something that runs beside the platforms (the scheduler)."""

    async def start(self, platforms: Sequence[Platform]) -> None: ...

    async def stop(self) -> None: ...


class Runtime:
    def __init__(
        self,
        *,
        settings: Settings,
        services: Services,
        platforms: Sequence[Platform],
        background: Sequence[Background] = (),
        no_wait: bool = False,
    ) -> None:
        self.settings = settings
        self.no_wait = no_wait
        self.services = services
        self.platforms = list(platforms)
        self.background = list(background)
        self._stop = asyncio.Event()

    def request_stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        """Take the database's lock (`storage.instance_lock`: one postgate serves a
        database, another stands by until it stops), migrate, start everything, serve
        until a platform closes or a signal arrives. With `no_wait`, AlreadyRunning
        before anything starts when another postgate serves it; LockLost, once all is
        stopped, when the lock was lost while serving."""
        wait = NO_WAIT_SECONDS if self.no_wait else None
        try:
            async with instance_lock(
                self.services.db, every=self.settings.lock_wait_seconds, wait=wait
            ) as lock:
                await asyncio.to_thread(upgrade, self.settings.resolved_database_url)
                await self._serve(lock)
        finally:
            await self.services.db.dispose()

    async def _serve(self, lock: HeldLock) -> None:
        loop = asyncio.get_running_loop()
        handled: list[signal.Signals] = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.request_stop)
                handled.append(sig)
        started: list[Platform] = []
        try:
            for platform in self.platforms:
                await platform.start()
                started.append(platform)
                log.info("%s platform started (workspace %s)", platform.name, platform.workspace)
            for item in self.background:
                await item.start(started)
            waiters: list[asyncio.Task[object]] = [
                asyncio.create_task(p.wait_closed()) for p in started
            ]
            waiters.append(asyncio.create_task(self._stop.wait()))
            watch = asyncio.create_task(lock.watch())
            waiters.append(watch)
            done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            if watch in done:
                watch.result()  # LockLost: stop serving (below), then say why
        finally:
            for sig in handled:
                loop.remove_signal_handler(sig)
            for item in reversed(self.background):
                try:
                    await item.stop()
                except Exception:
                    log.exception("stopping %s failed", type(item).__name__)
            for platform in reversed(started):
                try:
                    await platform.stop()
                except Exception:
                    log.exception("stopping %s failed", platform.name)


def build_runtime(
    settings: Settings, services: Services, *, local: bool = False, no_wait: bool = False
) -> Runtime:
    """What `postgate run` serves: every platform whose token is set (or the local
    workspace), with the outbox's sender and the reminder scheduler beside them."""
    from bot.platforms import enabled_platforms
    from bot.scheduler import ReminderScheduler
    from bot.sender import OutboxSender

    return Runtime(
        settings=settings,
        services=services,
        platforms=enabled_platforms(settings, services, local=local),
        background=[
            OutboxSender(services=services),
            ReminderScheduler(settings=settings, services=services),
        ],
        no_wait=no_wait,
    )
