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
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import create_engine

from bot import jobs
from bot.platforms.base import Platform
from bot.settings import Settings
from handlers.context import Context, Services
from handlers.schedules import trigger
from storage import reminders as store
from storage.models import ReminderKind
from storage.urls import sync_url

log = logging.getLogger(__name__)

# A reminder may go out this late (a bot restarted the same morning still sends the
# digest); later than this, it would be stale news and is skipped.
REMINDER_GRACE = timedelta(hours=6)
EXPIRY_EVERY = timedelta(hours=1)
EXPIRY_GRACE = timedelta(minutes=50)

_JOBS: dict[ReminderKind, Callable[[str], Awaitable[None]]] = {
    ReminderKind.DIGEST: jobs.send_digest,
    ReminderKind.DUE: jobs.send_due_reminders,
    ReminderKind.NUDGE: jobs.send_nudge,
}


def job_id(kind: str, workspace: str) -> str:
    return f"{kind}:{workspace}"


class ReminderScheduler:
    """A `bot.runtime.Background`: start(platforms) / stop(). Also the `ReminderControl`
    that `/reminders set` uses to move a live job."""

    def __init__(self, *, settings: Settings, services: Services) -> None:
        self._settings = settings
        self._services = services
        self._scheduler: Any = None

    @property
    def scheduler(self) -> Any:
        """The APScheduler instance while running (tests read jobs from it)."""
        return self._scheduler

    async def start(self, platforms: Sequence[Platform]) -> None:
        contexts = [
            Context(services=self._services, port=p.port, workspace=p.workspace) for p in platforms
        ]
        jobs.bind(contexts)
        engine = create_engine(sync_url(self._settings.resolved_database_url))
        scheduler = AsyncIOScheduler(
            timezone=self._services.config.timezone,
            event_loop=asyncio.get_running_loop(),
            jobstores={"default": SQLAlchemyJobStore(engine=engine)},
            executors={"default": AsyncIOExecutor()},
        )
        scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED)
        # Paused: jobs are checked and added before any of them is allowed to fire.
        scheduler.start(paused=True)
        self._scheduler = scheduler
        for ctx in contexts:
            await self._ensure_jobs(ctx.workspace)
        self._services.reminders = self
        scheduler.resume()
        log.info("reminder scheduler started for %s", ", ".join(c.workspace for c in contexts))

    async def stop(self) -> None:
        if self._scheduler is not None:
            if self._scheduler.running:
                self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if self._services.reminders is self:
            self._services.reminders = None
        jobs.unbind()

    async def _ensure_jobs(self, workspace: str) -> None:
        async with self._services.db.transaction() as session:
            schedules = await store.all_schedules(session, workspace=workspace)
        tz = self._services.config.timezone
        for schedule in schedules:
            kind = ReminderKind(schedule.kind)
            self._ensure(
                job_id(kind, workspace),
                _JOBS[kind],
                trigger(schedule.cron, timezone=tz),
                workspace=workspace,
                grace=REMINDER_GRACE,
            )
        if jobs.expiry_sweep() is not None:
            self._ensure(
                job_id("expiry", workspace),
                jobs.expire_proposals,
                IntervalTrigger(seconds=int(EXPIRY_EVERY.total_seconds()), timezone=tz),
                workspace=workspace,
                grace=EXPIRY_GRACE,
            )
        else:
            log.warning("handlers.expiry is not available: no proposal expiry sweep scheduled")

    def _ensure(
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
        job = self._scheduler.get_job(ident)
        if job is None:
            self._scheduler.add_job(
                func,
                trigger=new_trigger,
                id=ident,
                args=[workspace],
                misfire_grace_time=grace_seconds,
                coalesce=True,
                max_instances=1,
            )
            log.info("scheduled %s (%s)", ident, new_trigger)
            return
        if job.misfire_grace_time != grace_seconds or not job.coalesce:
            self._scheduler.modify_job(ident, misfire_grace_time=grace_seconds, coalesce=True)
        if repr(job.trigger) != repr(new_trigger) and not isinstance(new_trigger, IntervalTrigger):
            # The schedule was changed while this job store was not running.
            self._scheduler.reschedule_job(ident, trigger=new_trigger)
            log.info("rescheduled %s to %s", ident, new_trigger)

    def _on_missed(self, event: Any) -> None:
        log.warning(
            "%s was due at %s but postgate was not running until more than its grace time "
            "later; it was skipped and will run at its next time",
            event.job_id,
            event.scheduled_run_time,
        )

    # ReminderControl

    def reschedule(self, *, workspace: str, kind: str, cron: str) -> None:
        if self._scheduler is None:
            return
        ident = job_id(kind, workspace)
        new_trigger = trigger(cron, timezone=self._services.config.timezone)
        if self._scheduler.get_job(ident) is None:
            self._ensure(
                ident,
                _JOBS[ReminderKind(kind)],
                new_trigger,
                workspace=workspace,
                grace=REMINDER_GRACE,
            )
        else:
            self._scheduler.reschedule_job(ident, trigger=new_trigger)
        log.info("%s moved to %s", ident, cron)

    def next_run(self, *, workspace: str, kind: str) -> datetime | None:
        if self._scheduler is None:
            return None
        job = self._scheduler.get_job(job_id(kind, workspace))
        moment: datetime | None = job.next_run_time if job is not None else None
        return moment
