"""The scheduled jobs. APScheduler stores a job as a reference to a module-level function
plus its arguments, pickled into the database, so each job here takes only a workspace
key. At fire time it finds the running platform for that workspace in a small registry
that `bot.scheduler` fills when it starts.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable

from handlers.context import Context
from handlers.delivery import prune
from handlers.ideas.digests import run_digest, run_due_reminders, run_kpi_digest, run_nudge
from handlers.proposals.expiry import expire_overdue
from storage.db import log_failure

log = logging.getLogger(__name__)

_running: dict[str, Context] = {}


def bind(contexts: Iterable[Context]) -> None:
    """Make these platforms' workspaces reachable from jobs (the scheduler's start())."""
    for ctx in contexts:
        _running[ctx.workspace] = ctx


def unbind() -> None:
    _running.clear()


async def _run(name: str, workspace: str, job: Callable[[Context], Awaitable[object]]) -> None:
    ctx = _running.get(workspace)
    if ctx is None:
        # The job belongs to a platform that is not running in this process (for example
        # Slack's jobs while only the local workspace runs): leave it for when it is.
        log.warning("%s for %s skipped: that workspace is not running here", name, workspace)
        return
    try:
        outcome = await job(ctx)
    except Exception as exc:
        log_failure(
            log, exc, "%s for %s failed; it will run again at its next time", name, workspace
        )
        return
    log.info("%s for %s: %s", name, workspace, outcome)


async def send_digest(workspace: str) -> None:
    await _run("ideas digest", workspace, run_digest)


async def send_due_reminders(workspace: str) -> None:
    await _run("due-day reminders", workspace, run_due_reminders)


async def send_nudge(workspace: str) -> None:
    await _run("editors' nudge", workspace, run_nudge)


async def send_kpi_digest(workspace: str) -> None:
    await _run("KPI digest", workspace, run_kpi_digest)


async def expire_proposals(workspace: str) -> None:
    await _run("proposal expiry", workspace, expire_overdue)


async def prune_deliveries(workspace: str) -> None:
    """Forget deliveries older than 30 days."""
    await _run("delivery pruning", workspace, prune)
