"""The steering group's week in the local workspace: ideas typed as members would, the
digest, last week's KPIs (their chart written to a file) and the due-day reminder
arriving in #steering, the nudge in #review."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.assembly import build_services
from bot.platforms.local.platform import LocalPlatform, LocalWorkspace
from bot.scheduler import ReminderScheduler
from bot.settings import load_settings
from handlers.clock import FixedClock
from tests.fakes.recording_chat import clock_driven_datetime, run_due_jobs


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    clock = FixedClock(datetime(2026, 7, 3, 16, 0, tzinfo=UTC))  # a Friday afternoon, BST
    fake = clock_driven_datetime(clock)
    for module in ("apscheduler.schedulers.base", "apscheduler.executors.base"):
        monkeypatch.setattr(f"{module}.datetime", fake)
    return clock


@pytest.fixture
async def running(
    database_url: str, clock: FixedClock
) -> AsyncIterator[tuple[LocalWorkspace, ReminderScheduler]]:
    settings = load_settings(database_url=database_url)
    services = build_services(settings, clock=clock)
    workspace = LocalWorkspace.from_settings(settings, services)
    platform = LocalPlatform(workspace=workspace, stdin=io.StringIO(""), stdout=io.StringIO())
    reminders = ReminderScheduler(settings=settings, services=services)
    await platform.start()
    await reminders.start([platform])
    yield workspace, reminders
    await reminders.stop()
    await platform.stop()
    await services.db.dispose()


def chart_bytes() -> bytes:
    # Each test runs in its own working directory, where the local workspace writes files.
    return Path("postgate-files/postgate-kpis.png").read_bytes()


async def test_a_week_of_ideas_in_the_local_workspace(
    running: tuple[LocalWorkspace, ReminderScheduler], clock: FixedClock
) -> None:
    workspace, reminders = running
    await workspace.send("/as sam")
    await workspace.send("/idea Leaflet the new estate #housing --due tuesday")
    await workspace.send("/propose Come and meet your councillors at the library on Saturday.")
    workspace.drain()

    clock.set(datetime(2026, 7, 6, 8, 0, 2, tzinfo=UTC))  # Monday 09:00 BST
    await run_due_jobs(reminders.scheduler)
    shown = "\n".join(workspace.drain())
    assert "#steering" in shown and "@chair" in shown
    assert "#1 Leaflet the new estate #housing - sam, 3 days ago, due tomorrow" in shown

    clock.set(datetime(2026, 7, 6, 8, 15, 2, tzinfo=UTC))  # 09:15: last week's KPIs
    await run_due_jobs(reminders.scheduler)
    kpis = workspace.drain()
    assert kpis[0].startswith("[#steering] Social media KPIs: last week (29 Jun 2026 to 5 Jul")
    assert "Proposals made: 1 (up 1 from 0)" in "\n".join(kpis)
    assert any("[attachment: postgate-files/postgate-kpis.png (" in line for line in kpis)
    assert chart_bytes().startswith(b"\x89PNG\r\n\x1a\n")

    clock.set(datetime(2026, 7, 6, 8, 30, 2, tzinfo=UTC))  # 09:30: the editors' nudge
    await run_due_jobs(reminders.scheduler)
    nudge = "\n".join(workspace.drain())
    assert "#review" in nudge and "@editor" in nudge and "#1 from sam" in nudge

    clock.set(datetime(2026, 7, 7, 8, 0, 2, tzinfo=UTC))  # Tuesday morning: due today
    await run_due_jobs(reminders.scheduler)
    due = "\n".join(workspace.drain())
    assert "Idea 1 is due today" in due and "#steering" in due

    await workspace.send("/idea done 1")
    assert "Idea 1 is done" in "\n".join(workspace.drain())
