"""The weekly KPI digest on the reminder scheduler: last week's report and chart reach the
steering channel at 09:15 London time on Mondays, winter and summer, once across a
restart, never while paused. APScheduler runs for real on the test database; only its
idea of "now" follows the test clock (the fixtures are the timing tests' own)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from handlers.clock import FixedClock
from handlers.ideas.digests import Outcome, run_kpi_digest
from handlers.messages import Message
from handlers.port import ChannelRole
from tests.fakes.recording_chat import run_due_jobs
from tests.unit.bot.test_scheduler_timing import CHAIR, SAM, Bot, clock, lifetimes

__all__ = ["clock", "lifetimes"]  # the fixtures, shared with the timing tests

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def kpi_posts(bot: Bot) -> list[Message]:
    return [
        p.message
        for p in bot.platform.port.to(ChannelRole.STEERING)
        if p.message.title.startswith("Social media KPIs")
    ]


def next_kpis(bot: Bot) -> datetime:
    job = bot.reminders.scheduler.get_job(f"kpis:{bot.platform.workspace}")
    assert job is not None
    moment: datetime = job.next_run_time
    return moment.astimezone(UTC)


@pytest.mark.parametrize(
    ("monday", "utc_hour", "last_week"),
    [
        (datetime(2026, 1, 5, tzinfo=UTC), 9, "29 Dec 2025 to 4 Jan 2026"),
        (datetime(2026, 7, 6, tzinfo=UTC), 8, "29 Jun 2026 to 5 Jul 2026"),
    ],
    ids=["january-gmt", "july-bst"],
)
async def test_the_kpis_go_to_the_steering_channel_at_quarter_past_nine_london_time(
    lifetimes: Callable[[], Bot], clock: FixedClock, monday: datetime, utc_hour: int, last_week: str
) -> None:
    due = monday.replace(hour=utc_hour, minute=15)
    clock.set(monday - timedelta(days=3))  # the Friday before: a proposal in last week
    bot = lifetimes()
    await bot.type(SAM, "propose", "Come and meet your councillors at the library on Saturday.")
    clock.set(monday - timedelta(hours=6))
    await bot.start()
    assert next_kpis(bot) == due

    clock.set(due - timedelta(minutes=1))
    await run_due_jobs(bot.reminders.scheduler)
    assert kpi_posts(bot) == []

    clock.set(due + timedelta(seconds=5))
    await run_due_jobs(bot.reminders.scheduler)
    [report] = kpi_posts(bot)
    assert f"last week ({last_week}, Europe/London)" in report.title
    assert "Proposals made: 1 (up 1 from 0)" in report.as_plain_text()
    [chart] = report.attachments
    assert chart.content_type == "image/png"
    assert chart.content.startswith(PNG_SIGNATURE)
    assert next_kpis(bot) == due + timedelta(days=7)


async def test_a_restart_across_the_kpi_time_sends_them_once(
    lifetimes: Callable[[], Bot], clock: FixedClock
) -> None:
    first = lifetimes()
    await first.start()
    await first.stop()  # down from Sunday 20:00 ...

    clock.set(datetime(2026, 1, 5, 11, 0, tzinfo=UTC))  # ... to Monday 11:00, late but in time
    second = lifetimes()
    await second.start()
    assert len(kpi_posts(second)) == 1
    await second.stop()

    clock.advance(timedelta(minutes=20))
    third = lifetimes()
    await third.start()
    await run_due_jobs(third.reminders.scheduler)
    assert kpi_posts(third) == []
    assert next_kpis(third) == datetime(2026, 1, 12, 9, 15, tzinfo=UTC)
    # Run by hand the same day (a second process, a doubled hour): the day is claimed.
    assert await run_kpi_digest(third.context()) == Outcome.ALREADY
    assert kpi_posts(third) == []


async def test_paused_kpis_are_not_sent_until_resumed(
    lifetimes: Callable[[], Bot], clock: FixedClock
) -> None:
    bot = lifetimes()
    await bot.type(SAM, "idea", "Street stall at the market")
    await bot.start()
    reply = await bot.type(CHAIR, "reminders", "pause kpis")
    assert "Last week's KPIs and chart to the steering group: paused until someone types" in reply
    shown = await bot.type(SAM, "reminders", "")
    assert "(kpis): Mondays at 09:15 - paused" in shown
    assert "(digest): Mondays at 09:00\nNext: tomorrow at 09:00" in shown  # this one is not

    clock.set(datetime(2026, 1, 5, 9, 0, 1, tzinfo=UTC))
    await run_due_jobs(bot.reminders.scheduler)
    clock.set(datetime(2026, 1, 5, 9, 15, 1, tzinfo=UTC))
    await run_due_jobs(bot.reminders.scheduler)
    assert kpi_posts(bot) == []
    assert len(bot.digests) == 1

    assert "back on" in await bot.type(CHAIR, "reminders", "resume kpi")
    clock.set(datetime(2026, 1, 12, 9, 15, 1, tzinfo=UTC))
    await run_due_jobs(bot.reminders.scheduler)
    assert len(kpi_posts(bot)) == 1


async def test_reminders_set_kpis_moves_the_live_job(
    lifetimes: Callable[[], Bot], clock: FixedClock
) -> None:
    bot = lifetimes()
    await bot.start()
    reply = await bot.type(CHAIR, "reminders", 'set kpis "fri 17:00"')
    assert "Last week's KPIs and chart to the steering group: Fridays at 17:00" in reply
    assert next_kpis(bot) == datetime(2026, 1, 9, 17, 0, tzinfo=UTC)
    assert "Only editors and the steering group" in await bot.type(
        SAM, "reminders", 'set kpis "mon 09:15"'
    )
    assert next_kpis(bot) == datetime(2026, 1, 9, 17, 0, tzinfo=UTC)
