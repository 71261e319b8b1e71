"""The reminder scheduler: APScheduler 3 in the bot's own event loop, jobs in the database.

APScheduler's defaults drop reminders (a 1-second misfire grace; `replace_existing` at
each start forgets missed runs), so every job here carries its own grace time and
`coalesce`, and is added only when the job store does not have it yet. A reminder
missed while the bot was down goes out once after it starts if it is within the grace
time; later than that it is skipped and the log says so. The handlers claim each day
in the database, so nothing is sent twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_MISSED
from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler, run_in_event_loop
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from bot import jobs
from bot.platforms.base import Platform
from bot.settings import Settings
from handlers.context import Context, Services
from handlers.ideas.schedules import trigger
from storage import reminders as store
from storage.db import REFUSED_WRITES, refuses_writes
from storage.models import ReminderKind
from storage.urls import sync_url

log = logging.getLogger(__name__)

# A reminder may go out this late (a bot restarted the same morning still sends the
# digest); later than this, it would be stale news and is skipped.
REMINDER_GRACE = timedelta(hours=6)
EXPIRY_EVERY = timedelta(hours=1)
EXPIRY_GRACE = timedelta(minutes=50)
# Pruning old deliveries is housekeeping: daily, in a quiet hour clear of the doubled
# 01:00 hour of October, and any time the same day will do.
PRUNE_HOUR, PRUNE_MINUTE = 4, 15
PRUNE_GRACE = timedelta(hours=12)

_JOBS: dict[ReminderKind, Callable[[str], Awaitable[None]]] = {
    ReminderKind.DIGEST: jobs.send_digest,
    ReminderKind.DUE: jobs.send_due_reminders,
    ReminderKind.NUDGE: jobs.send_nudge,
    ReminderKind.KPIS: jobs.send_kpi_digest,
}


# SQLite has one writer. The job store is synchronous and runs in the event loop, so if
# it waited for a lock held by one of our async transactions, that transaction could not
# commit until the wait ended: it gives up quickly instead and the work is retried.
SQLITE_LOCK_WAIT_SECONDS = 0.5
BUSY_RETRY_SECONDS = 0.5
BUSY_ATTEMPTS = 40


def job_id(kind: str, workspace: str) -> str:
    return f"{kind}:{workspace}"


def job_store_engine(url: str) -> Engine:
    target = sync_url(url)
    if target.get_backend_name() == "sqlite":
        return create_engine(target, connect_args={"timeout": SQLITE_LOCK_WAIT_SECONDS})
    return create_engine(target, pool_pre_ping=True)


class _LoopScheduler(AsyncIOScheduler):  # type: ignore[misc]
    """AsyncIOScheduler that survives a busy SQLite database at wake-up: it tries again
    shortly instead of stopping its timer. A job that ran but whose next time could not be
    saved runs again; the handlers' once-a-day claims keep that from sending twice."""

    @run_in_event_loop  # type: ignore[untyped-decorator]
    def wakeup(self) -> None:
        self._stop_timer()
        try:
            wait_seconds = self._process_jobs()
        except OperationalError as exc:
            if refuses_writes(exc):
                log.error("the scheduler could not save its jobs: %s", REFUSED_WRITES)
            else:
                log.info("the database is busy; the scheduler looks again in a moment")
            wait_seconds = BUSY_RETRY_SECONDS
        self._start_timer(wait_seconds)


async def _off_the_loop(action: Callable[[], None]) -> None:
    """Run a job-store write in a thread, so our own async transactions can finish."""
    for attempt in range(BUSY_ATTEMPTS):
        try:
            await asyncio.to_thread(action)
            return
        except OperationalError:
            if attempt == BUSY_ATTEMPTS - 1:
                raise
            await asyncio.sleep(BUSY_RETRY_SECONDS)


class ReminderScheduler:
    """A `bot.runtime.Background`: start(platforms) / stop(). Also the `ReminderControl`
    that `/reminders set` uses to move a live job."""

    def __init__(self, *, settings: Settings, services: Services) -> None:
        self._settings = settings
        self._services = services
        self.scheduler: Any = None  # APScheduler's, while running
        self._lock = asyncio.Lock()

    async def start(self, platforms: Sequence[Platform]) -> None:
        contexts = [
            Context(services=self._services, port=p.port, workspace=p.workspace) for p in platforms
        ]
        jobs.bind(contexts)
        engine = job_store_engine(self._settings.resolved_database_url)
        scheduler = _LoopScheduler(
            timezone=self._services.config.timezone,
            event_loop=asyncio.get_running_loop(),
            jobstores={"default": SQLAlchemyJobStore(engine=engine)},
            executors={"default": AsyncIOExecutor()},
        )
        scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED)
        # Paused: jobs are checked and added before any of them is allowed to fire.
        scheduler.start(paused=True)
        self.scheduler = scheduler
        # Reachable before the jobs are checked: a `/reminders set` typed meanwhile waits
        # for the lock and is applied after, never lost to a check that read the old time.
        self._services.reminders = self
        async with self._lock:
            for ctx in contexts:
                await self._ensure_jobs(ctx.workspace)
        scheduler.resume()
        log.info("reminder scheduler started for %s", ", ".join(c.workspace for c in contexts))

    async def stop(self) -> None:
        if self.scheduler is not None:
            if self.scheduler.running:
                self.scheduler.shutdown(wait=False)
            self.scheduler = None
        if self._services.reminders is self:
            self._services.reminders = None
        jobs.unbind()

    async def _ensure_jobs(self, workspace: str) -> None:
        async with self._services.db.transaction() as session:
            schedules = await store.all_schedules(session, workspace=workspace)
        for schedule in schedules:
            await self._ensure_reminder(workspace, kind=schedule.kind, cron=schedule.cron)
        tz = self._services.config.timezone
        await self._ensure(
            job_id("expiry", workspace),
            jobs.expire_proposals,
            IntervalTrigger(seconds=int(EXPIRY_EVERY.total_seconds()), timezone=tz),
            workspace=workspace,
            grace=EXPIRY_GRACE,
        )
        await self._ensure(
            job_id("prune", workspace),
            jobs.prune_deliveries,
            CronTrigger(hour=PRUNE_HOUR, minute=PRUNE_MINUTE, timezone=tz),
            workspace=workspace,
            grace=PRUNE_GRACE,
        )

    async def _ensure_reminder(self, workspace: str, *, kind: str, cron: str) -> None:
        reminder = ReminderKind(kind)
        await self._ensure(
            job_id(reminder, workspace),
            _JOBS[reminder],
            trigger(cron, timezone=self._services.config.timezone),
            workspace=workspace,
            grace=REMINDER_GRACE,
        )

    async def _ensure(
        self,
        ident: str,
        func: Callable[[str], Awaitable[None]],
        new_trigger: Any,
        *,
        workspace: str,
        grace: timedelta,
    ) -> None:
        """Add the job if the store lacks it; never replace it (that would forget a run
        missed while the bot was down). Only a changed schedule moves it."""
        grace_seconds = int(grace.total_seconds())
        scheduler = self.scheduler
        job = scheduler.get_job(ident)
        if job is None:
            await _off_the_loop(
                lambda: scheduler.add_job(
                    func,
                    trigger=new_trigger,
                    id=ident,
                    args=[workspace],
                    misfire_grace_time=grace_seconds,
                    coalesce=True,
                    max_instances=1,
                )
            )
            log.info("scheduled %s (%s)", ident, new_trigger)
            return
        if job.misfire_grace_time != grace_seconds or not job.coalesce:
            await _off_the_loop(
                lambda: scheduler.modify_job(ident, misfire_grace_time=grace_seconds, coalesce=True)
            )
        if repr(job.trigger) != repr(new_trigger) and not isinstance(new_trigger, IntervalTrigger):
            # Changed by /reminders set, or while this job store was not running.
            await _off_the_loop(lambda: scheduler.reschedule_job(ident, trigger=new_trigger))
            log.info("rescheduled %s to %s", ident, new_trigger)

    def _on_missed(self, event: Any) -> None:
        log.warning(
            "%s was due at %s but postgate was not running until more than its grace time "
            "later; it was skipped and will run at its next time",
            event.job_id,
            event.scheduled_run_time,
        )

    # ReminderControl

    async def reschedule(self, *, workspace: str, kind: str, cron: str) -> None:
        scheduler = self.scheduler
        if scheduler is None:
            return
        async with self._lock:
            # Adds the job if it is missing, else moves it to the new time.
            await self._ensure_reminder(workspace, kind=kind, cron=cron)
        log.info("%s moved to %s", job_id(kind, workspace), cron)

    def next_run(self, *, workspace: str, kind: str) -> datetime | None:
        if self.scheduler is None:
            return None
        job = self.scheduler.get_job(job_id(kind, workspace))
        moment: datetime | None = job.next_run_time if job is not None else None
        return moment
