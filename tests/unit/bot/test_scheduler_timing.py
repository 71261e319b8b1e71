"""The scheduler fires the digest at 09:00 London time, winter and summer, and restarts
never lose or double a reminder. APScheduler runs for real on the test database; only
its idea of "now" follows the test clock."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.assembly import build_services
from bot.scheduler import ReminderScheduler
from bot.settings import Settings, load_settings
from handlers.clock import FixedClock
from handlers.context import Context, Services
from handlers.dispatch import run_command
from handlers.events import Actor, Invocation, Role
from handlers.port import ChannelRole
from tests.fakes.recording_chat import (
    RecordingPlatform,
    clock_driven_datetime,
    run_due_jobs,
)

CHAIR = Actor("U-chair", "Chair", frozenset({Role.STEERING, Role.PROPOSER}))
SAM = Actor("U-sam", "Sam", frozenset({Role.PROPOSER}))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    clock = FixedClock(datetime(2026, 1, 4, 20, 0, tzinfo=UTC))  # a Sunday evening
    fake = clock_driven_datetime(clock)
    for module in (
        "apscheduler.schedulers.base",
        "apscheduler.executors.base",
    ):
        monkeypatch.setattr(f"{module}.datetime", fake)
    return clock


class Bot:
    """One process lifetime: services, a stand-in platform and the reminder scheduler."""

    def __init__(self, settings: Settings, clock: FixedClock) -> None:
        self.settings = settings
        self.services: Services = build_services(settings, clock=clock)
        self.platform = RecordingPlatform()
        self.reminders = ReminderScheduler(settings=settings, services=self.services)

    @property
    def posts(self) -> list[str]:
        return [p.text for p in self.platform.port.to(ChannelRole.STEERING)]

    @property
    def digests(self) -> list[str]:
        """The ideas digests among the posts (the weekly KPIs go to the same channel)."""
        return [p for p in self.posts if p.startswith("Campaign ideas")]

    async def start(self) -> None:
        await self.reminders.start([self.platform])
        await run_due_jobs(self.reminders.scheduler)

    async def stop(self) -> None:
        await self.reminders.stop()
        await self.services.db.dispose()

    def context(self) -> Context:
        return Context(
            services=self.services, port=self.platform.port, workspace=self.platform.workspace
        )

    async def type(self, actor: Actor, command: str, text: str) -> str:
        ctx = self.context()
        inv = Invocation(workspace=ctx.workspace, actor=actor, command=command, text=text)
        return (await run_command(inv, ctx)).message.as_plain_text()

    def next_digest(self) -> datetime:
        job = self.reminders.scheduler.get_job(f"digest:{self.platform.workspace}")
        assert job is not None
        moment: datetime = job.next_run_time
        return moment.astimezone(UTC)


@pytest.fixture
async def lifetimes(database_url: str, clock: FixedClock) -> AsyncIterator[Callable[[], Bot]]:
    settings = load_settings(database_url=database_url)
    made: list[Bot] = []

    def new_bot() -> Bot:
        made.append(Bot(settings, clock))
        return made[-1]

    yield new_bot
    for bot in made:
        await bot.stop()


@pytest.mark.parametrize(
    ("monday", "utc_hour"),
    [(datetime(2026, 1, 5, tzinfo=UTC), 9), (datetime(2026, 7, 6, tzinfo=UTC), 8)],
    ids=["january-gmt", "july-bst"],
)
async def test_digest_goes_out_at_nine_london_time(
    lifetimes: Callable[[], Bot], clock: FixedClock, monday: datetime, utc_hour: int
) -> None:
    clock.set(monday - timedelta(hours=6))  # Sunday evening
    bot = lifetimes()
    await bot.type(SAM, "idea", "Street stall at the market #housing")
    await bot.start()
    assert bot.next_digest() == monday.replace(hour=utc_hour)

    clock.set(monday.replace(hour=utc_hour) - timedelta(minutes=1))
    await run_due_jobs(bot.reminders.scheduler)
    assert bot.posts == []

    clock.set(monday.replace(hour=utc_hour, second=5))
    await run_due_jobs(bot.reminders.scheduler)
    assert len(bot.posts) == 1
    digest = bot.platform.port.to(ChannelRole.STEERING)[0]
    assert "@steering" in digest.text
    assert "Street stall at the market" in digest.text
    assert "Sam" in digest.text
    assert bot.next_digest() == monday.replace(hour=utc_hour) + timedelta(days=7)


async def test_a_restart_across_the_digest_time_sends_it_once(
    lifetimes: Callable[[], Bot], clock: FixedClock
) -> None:
    first = lifetimes()
    await first.type(SAM, "idea", "Door-knock the new estate")
    await first.start()
    await first.stop()  # down from Sunday 20:00 ...

    clock.set(datetime(2026, 1, 5, 10, 30, tzinfo=UTC))  # ... to Monday 10:30, 1.5 h late
    second = lifetimes()
    await second.start()
    assert len(second.digests) == 1
    assert "Door-knock the new estate" in second.digests[0]
    await second.stop()

    clock.advance(timedelta(minutes=20))
    third = lifetimes()
    await third.start()
    await run_due_jobs(third.reminders.scheduler)
    assert third.posts == []
    assert third.next_digest() == datetime(2026, 1, 12, 9, 0, tzinfo=UTC)


async def test_a_restart_long_after_the_grace_time_sends_nothing_and_says_so(
    lifetimes: Callable[[], Bot], clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    first = lifetimes()
    await first.type(SAM, "idea", "Door-knock the new estate")
    await first.start()
    await first.stop()

    clock.set(datetime(2026, 1, 5, 18, 0, tzinfo=UTC))  # nine hours after 09:00
    second = lifetimes()
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        await second.start()
    assert second.posts == []
    missed = [r for r in caplog.records if r.name == "bot.scheduler"]
    assert any("digest:test:T1" in r.getMessage() and "skipped" in r.getMessage() for r in missed)

    clock.set(datetime(2026, 1, 12, 9, 0, 1, tzinfo=UTC))  # the next Monday it goes out again
    await run_due_jobs(second.reminders.scheduler)
    assert len(second.posts) == 1


async def test_nothing_to_list_sends_no_message(
    lifetimes: Callable[[], Bot], clock: FixedClock
) -> None:
    bot = lifetimes()
    await bot.start()
    clock.set(datetime(2026, 1, 5, 9, 0, 1, tzinfo=UTC))
    await run_due_jobs(bot.reminders.scheduler)
    assert bot.platform.port.posts == []


async def test_reminders_set_moves_the_live_job(
    lifetimes: Callable[[], Bot], clock: FixedClock
) -> None:
    bot = lifetimes()
    await bot.start()
    reply = await bot.type(CHAIR, "reminders", 'set "thu 18:30"')
    assert "Thursdays at 18:30" in reply
    assert bot.next_digest() == datetime(2026, 1, 8, 18, 30, tzinfo=UTC)
    shown = await bot.type(SAM, "reminders", "")
    assert "Thursdays at 18:30" in shown
    assert "Thu 8 Jan at 18:30" in shown


async def test_every_job_has_its_own_grace_time_and_coalesce_and_expiry_runs_hourly(
    lifetimes: Callable[[], Bot],
) -> None:
    bot = lifetimes()
    await bot.start()
    found = {job.id: job for job in bot.reminders.scheduler.get_jobs()}
    assert set(found) == {
        "digest:test:T1",
        "due:test:T1",
        "nudge:test:T1",
        "kpis:test:T1",
        "expiry:test:T1",
        "prune:test:T1",
    }
    for job in found.values():
        assert job.coalesce is True
        assert job.misfire_grace_time >= 1800  # never APScheduler's 1-second default
        assert job.max_instances == 1
    assert found["expiry:test:T1"].trigger.interval == timedelta(hours=1)
    assert found["expiry:test:T1"].func.__module__ == "bot.jobs"


async def test_a_restart_does_not_replace_the_stored_jobs(
    lifetimes: Callable[[], Bot], clock: FixedClock
) -> None:
    first = lifetimes()
    await first.start()
    stored = {job.id: job.next_run_time for job in first.reminders.scheduler.get_jobs()}
    await first.stop()
    clock.advance(timedelta(minutes=30))
    second = lifetimes()
    await second.start()
    again = {job.id: job.next_run_time for job in second.reminders.scheduler.get_jobs()}
    assert again == stored  # the hourly expiry job keeps its time: it was not re-added
