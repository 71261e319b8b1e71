"""A KPI report: gathered from the database, then shown as a message or as JSON."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.stats.period import Period, weeks_between
from storage.db import Database
from storage.stats import (
    Counts,
    Durations,
    Ranked,
    WeekFigures,
    busiest_proposers,
    busiest_voters,
    counts_and_weeks,
    decision_times,
    report_session,
    top_rules,
    week_figures,
    weekly_times,
)

T = TypeVar("T")
CHART_MIN_WEEKS = 8
SIDE_BY_SIDE = 4
TOP_RULES = 5
# Busiest proposers by proposals made; busiest editors by votes standing
# (`busiest_voters`: a vote taken back does not count).


@dataclass(frozen=True, slots=True, kw_only=True)
class StatsReport:
    workspace: str
    period: Period
    now: Counts
    before: Counts
    times_now: Durations
    times_before: Durations
    rules: list[Ranked]
    proposers: list[Ranked]
    editors: list[Ranked]
    weeks: list[WeekFigures]


def chart_start(period: Period) -> datetime:
    """The chart shows the current period, and at least the last eight weeks."""
    return min(period.current.start, period.current.end - timedelta(weeks=CHART_MIN_WEEKS - 1))


async def _read(
    db: Database, room: asyncio.Semaphore, query: Callable[[AsyncSession], Awaitable[T]]
) -> T:
    async with room, report_session(db) as session:
        return await query(session)


async def gather_report(*, db: Database, workspace: str, period: Period) -> StatsReport:
    """Every figure of the report, each one a query the database answers.

    The queries are independent reads, so they run side by side on their own
    connections: the report takes about as long as the slowest, not the sum. At
    most SIDE_BY_SIDE at once, so the connection pool (5 by default) always has one
    left for the bot's other work and never opens extra connections for a report.
    """
    room = asyncio.Semaphore(SIDE_BY_SIDE)
    now, then, tz = period.current, period.previous, period.timezone
    weeks = weeks_between(start=chart_start(period), end=now.end, timezone=tz)
    # Started slowest first, so none of them is left waiting for a free connection.
    async with asyncio.TaskGroup() as group:

        def read(query: Callable[[AsyncSession], Awaitable[T]]) -> asyncio.Task[T]:
            return group.create_task(_read(db, room, query))

        rules = read(
            lambda s: top_rules(s, workspace=workspace, current=now, previous=then, limit=TOP_RULES)
        )
        people = read(
            lambda s: busiest_proposers(s, workspace=workspace, current=now, previous=then)
        )
        voters = read(lambda s: busiest_voters(s, workspace=workspace, current=now, previous=then))
        counts = read(
            lambda s: counts_and_weeks(
                s, workspace=workspace, current=now, previous=then, weeks=weeks
            )
        )
        times_now = read(lambda s: decision_times(s, workspace=workspace, window=now))
        times_before = read(lambda s: decision_times(s, workspace=workspace, window=then))
        week_times = read(lambda s: weekly_times(s, workspace=workspace, weeks=weeks))
    return StatsReport(
        workspace=workspace,
        period=period,
        now=counts.result()[0],
        before=counts.result()[1],
        times_now=times_now.result(),
        times_before=times_before.result(),
        rules=rules.result(),
        proposers=people.result(),
        editors=voters.result(),
        weeks=week_figures(weeks, counts.result()[2], week_times.result()),
    )


def _counts_json(counts: Counts, times: Durations) -> dict[str, Any]:
    return asdict(counts) | {
        "approval_rate": counts.approval_rate,
        "decided_by_editors": times.decided,
        "median_seconds_to_decision": times.median,
        "p90_seconds_to_decision": times.p90,
    }


def _ranked_json(items: list[Ranked], *, key: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in items:
        row: dict[str, Any] = {key: item.label}
        if key != "rule":
            row["id"] = item.key
        row["count"] = item.count
        row["previous"] = item.previous
        if key == "rule":
            row["sections"] = list(item.sections)
        out.append(row)
    return out


def report_json(report: StatsReport) -> dict[str, Any]:
    """The report for scripts: plain numbers, ISO 8601 times, seconds for durations."""
    p = report.period
    tz = p.timezone
    return {
        "workspace": report.workspace,
        "period": {
            "kind": p.kind.value,
            "calendar": True,
            "complete": p.complete,
            "description": p.describe(),
            "timezone": tz.key,
            "start": p.current.start.astimezone(tz).isoformat(),
            "end": p.current.end.astimezone(tz).isoformat(),
            "previous_start": p.previous.start.astimezone(tz).isoformat(),
            "previous_end": p.previous.end.astimezone(tz).isoformat(),
        },
        "current": _counts_json(report.now, report.times_now),
        "previous": _counts_json(report.before, report.times_before),
        "top_rules": _ranked_json(report.rules, key="rule"),
        "busiest_proposers": _ranked_json(report.proposers, key="name"),
        "busiest_editors": _ranked_json(report.editors, key="name"),
        "weeks": [
            {
                "week_start": w.start.astimezone(tz).isoformat(),
                "proposed": w.proposed,
                "approved": w.approved,
                "rejected": w.rejected,
                "withdrawn_or_expired": w.other_decided,
                "median_seconds_to_decision": w.median,
                "p90_seconds_to_decision": w.p90,
            }
            for w in report.weeks
        ],
    }
