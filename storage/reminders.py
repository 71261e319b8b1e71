"""Reminder schedules per workspace, and the markers that keep each reminder to once a day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy import Table, Update, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import insert_ignoring_duplicates, rowcount, snapshot_of
from storage.models import ReminderKind, ReminderSchedule

# Defaults keep clear of 01:00-01:59, the hour that repeats or vanishes when clocks change.
DEFAULT_CRON: dict[ReminderKind, str] = {
    ReminderKind.DIGEST: "0 9 * * mon",
    ReminderKind.DUE: "0 9 * * *",
    ReminderKind.NUDGE: "30 9 * * mon-fri",
    # After the ideas digest, so the two never arrive in the same minute.
    ReminderKind.KPIS: "15 9 * * mon",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleSnapshot:
    """A reminder's schedule as it stood when read: what handlers are given."""

    workspace: str
    kind: ReminderKind
    cron: str
    paused: bool
    paused_until: date | None
    last_run_on: date | None
    last_sent_at: datetime | None


def _snapshot(row: ReminderSchedule) -> ScheduleSnapshot:
    return snapshot_of(ScheduleSnapshot, row, kind=ReminderKind(row.kind))


async def get_schedule(
    session: AsyncSession, *, workspace: str, kind: ReminderKind
) -> ScheduleSnapshot:
    return _snapshot(await _schedule_row(session, workspace=workspace, kind=kind))


async def _schedule_row(
    session: AsyncSession, *, workspace: str, kind: ReminderKind
) -> ReminderSchedule:
    """The schedule row, created with the default time the first time it is asked for
    (ON CONFLICT DO NOTHING: a command and the scheduler's start may both ask first)."""
    row = await session.get(ReminderSchedule, (workspace, str(kind)))
    if row is not None:
        return row
    values = {
        "workspace": workspace,
        "kind": str(kind),
        "cron": DEFAULT_CRON[kind],
        "paused": False,
    }
    await insert_ignoring_duplicates(session, cast(Table, ReminderSchedule.__table__), values)
    row = await session.get(ReminderSchedule, (workspace, str(kind)), populate_existing=True)
    assert row is not None
    return row


async def all_schedules(session: AsyncSession, *, workspace: str) -> list[ScheduleSnapshot]:
    return [await get_schedule(session, workspace=workspace, kind=kind) for kind in ReminderKind]


async def set_cron(
    session: AsyncSession, *, workspace: str, kind: ReminderKind, cron: str, at: datetime, by: str
) -> str:
    """Change when `kind` goes out; returns the cron line it had."""
    row = await _schedule_row(session, workspace=workspace, kind=kind)
    old = row.cron
    row.cron, row.updated_at, row.updated_by = cron, at, by
    return old


async def set_paused(
    session: AsyncSession,
    *,
    workspace: str,
    kinds: Iterable[ReminderKind],
    paused: bool,
    until: date | None,
    at: datetime,
    by: str,
) -> None:
    """Pause `kinds` (until a day, or until resumed when `until` is None), or resume them."""
    for kind in kinds:
        row = await _schedule_row(session, workspace=workspace, kind=kind)
        row.paused, row.paused_until, row.updated_at, row.updated_by = paused, until, at, by


async def end_pause(session: AsyncSession, *, workspace: str, kind: ReminderKind) -> None:
    """A pause whose day has come: the reminder is on again."""
    row = await _schedule_row(session, workspace=workspace, kind=kind)
    row.paused, row.paused_until = False, None


async def claim_run(
    session: AsyncSession, *, workspace: str, kind: ReminderKind, day: date
) -> bool:
    """Record that `kind` ran on `day` (a local day). False when it already had: the caller
    then sends nothing. The check and the write are one statement, so two runs cannot both win.
    """
    not_yet = or_(ReminderSchedule.last_run_on.is_(None), ReminderSchedule.last_run_on != day)
    result = await session.execute(_update(workspace, kind).where(not_yet).values(last_run_on=day))
    return rowcount(result) > 0


async def release_run(
    session: AsyncSession, *, workspace: str, kind: ReminderKind, previous: date | None
) -> None:
    """Give back a claim whose message could not be posted."""
    await session.execute(_update(workspace, kind).values(last_run_on=previous))


async def mark_sent(
    session: AsyncSession, *, workspace: str, kind: ReminderKind, at: datetime
) -> None:
    await session.execute(_update(workspace, kind).values(last_sent_at=at))


def _update(workspace: str, kind: ReminderKind) -> Update:
    return update(ReminderSchedule).where(
        ReminderSchedule.workspace == workspace, ReminderSchedule.kind == str(kind)
    )
