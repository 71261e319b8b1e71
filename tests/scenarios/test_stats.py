"""KPI figures from a known history made through the real workflow, checked exactly
on SQLite and PostgreSQL; and `/stats` as editors and members see it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.platforms.local.platform import LocalWorkspace
from handlers.clock import FixedClock
from handlers.context import Context
from handlers.dispatch import run_command
from handlers.events import Actor, Invocation, Role
from handlers.messages import Tone
from handlers.stats.command import post_kpi_digest
from handlers.stats.period import PeriodKind, period_for
from handlers.stats.report import gather_report
from storage.db import Database
from tests.stats_history import (
    CHECKS_BEFORE,
    CHECKS_NOW,
    CLEAN_1,
    NOW,
    at,
    build_history,
    rule_counts,
    rule_sections,
)
from tests.workflow_support import make_services

LONDON = ZoneInfo("Europe/London")


async def test_month_figures_are_exact(database_url: str) -> None:
    await build_history(database_url)
    db = Database(database_url)
    try:
        period = period_for(PeriodKind.MONTH, now=NOW, timezone=LONDON)
        report = await gather_report(db=db, workspace="local", period=period)
        last = period_for(PeriodKind.MONTH, now=NOW, timezone=LONDON, complete=True)
        february = await gather_report(db=db, workspace="local", period=last)
    finally:
        await db.dispose()

    # `last month` is the whole of February against the whole of January.
    assert (last.current.start, last.current.end) == (at(1, 0, 2), at(1, 0))
    assert (february.now.proposed, february.now.approved, february.now.rejected) == (3, 1, 1)
    assert february.before.proposed == 0
    assert february.times_before.median is None

    assert (period.current.start, period.current.end) == (at(1, 0), NOW)
    assert (period.previous.start, period.previous.end) == (at(1, 0, 2), at(20, 12, 2))

    now, before = report.now, report.before
    assert (now.proposed, now.approved, now.overruled, now.rejected) == (5, 3, 1, 1)
    assert (now.changes_requested, now.expired, now.withdrawn) == (1, 1, 1)
    assert now.approval_rate == 0.75
    assert (before.proposed, before.approved, before.overruled, before.rejected) == (2, 1, 0, 1)
    assert (before.changes_requested, before.expired, before.withdrawn) == (0, 0, 0)
    assert before.approval_rate == 0.5

    # Editor decisions this month: 1 h, 2 h, 3 h and 5 days (proposal 3, from February).
    # Median: halfway between 2 h and 3 h. 90th percentile: 3 h + 0.7 * (5 days - 3 h).
    assert report.times_now.decided == 4
    assert report.times_now.median == 9000
    assert report.times_now.p90 is not None
    assert round(report.times_now.p90, 6) == 10800 + 0.7 * (432000 - 10800)
    # Before: 2 h and 4 h.
    assert report.times_before.decided == 2
    assert report.times_before.median == 10800
    assert report.times_before.p90 is not None
    assert round(report.times_before.p90, 6) == 7200 + 0.9 * 7200

    assert [(p.label, p.count, p.previous) for p in report.proposers] == [
        ("alex", 2, 1),
        ("bob", 2, 1),
        ("cat", 1, 0),
    ]
    # Votes: chair approved 3 and 6 and rejected 7; editor asked for changes on 5,
    # then approved 5 and 6. In February editor voted twice.
    assert [(p.label, p.count, p.previous) for p in report.editors] == [
        ("chair", 3, 0),
        ("editor", 3, 2),
    ]

    expected_now, expected_before = rule_counts(CHECKS_NOW), rule_counts(CHECKS_BEFORE)
    sections = rule_sections(CHECKS_NOW)
    ranking = sorted(expected_now.items(), key=lambda item: (-item[1], item[0]))[:5]
    assert ranking, "the history should trigger some rules"
    assert [(r.key, r.count, r.previous, r.sections) for r in report.rules] == [
        (rule, n, expected_before.get(rule, 0), sections[rule]) for rule, n in ranking
    ]

    weeks = [
        (
            w.start.date().isoformat(),
            w.proposed,
            w.approved,
            w.rejected,
            w.other_decided,
            w.median,
            None if w.p90 is None else round(w.p90, 6),
        )
        for w in report.weeks
    ]
    assert weeks == [
        ("2026-01-26", 0, 0, 0, 0, None, None),
        ("2026-02-02", 2, 1, 1, 0, 10800, round(7200 + 0.9 * 7200, 6)),
        ("2026-02-09", 0, 0, 0, 0, None, None),
        ("2026-02-16", 0, 0, 0, 0, None, None),
        ("2026-02-23", 2, 0, 0, 0, None, None),  # Wednesday 25th and Sunday 1 March
        ("2026-03-02", 4, 3, 1, 1, 9000, round(10800 + 0.7 * (432000 - 10800), 6)),
        ("2026-03-09", 0, 0, 0, 0, None, None),
        ("2026-03-16", 0, 0, 0, 1, None, None),  # the expiry
    ]


def written(path: str) -> bytes:
    return Path(path).read_bytes()


async def _workspace(database_url: str) -> LocalWorkspace:
    services = make_services(database_url, clock=FixedClock(NOW))
    return LocalWorkspace(services=services, editors=("editor", "chair"), steering=("chair",))


async def test_stats_in_the_local_workspace(database_url: str) -> None:
    await build_history(database_url)
    ws = await _workspace(database_url)
    try:
        refused = await ws.send("/stats")  # alex is a member
        await ws.send("/as chair")
        out = await ws.send("/stats")
        _where, message = ws.port.sent[-1]
        bad = await ws.send("/stats fortnight")
    finally:
        await ws.ctx.services.db.dispose()

    assert any("The KPIs are for editors and the steering group" in line for line in refused)
    text = "\n".join(out)
    assert "this month so far (1 Mar 2026 to 20 Mar 2026 12:00, Europe/London)" in text
    assert "Proposals made: 5 (up 3 from 2)" in text
    assert "Approved (overrules included): 3 (up 2 from 1)" in text
    assert "Rejected: 1 (same as before)" in text
    assert "Expired undecided: 1 (up 1 from 0)" in text
    assert (
        "Approval rate (approved out of approved and rejected): 75% (up 25 points from 50%)" in text
    )
    assert "Time from proposal to decision, median: 2 h 30 min (30 min quicker than 3 h)" in text
    assert "alex: 2 proposals (up 1 from 1)" in text
    (chart,) = message.attachments
    assert chart.content_type == "image/png"
    assert chart.content.startswith(b"\x89PNG\r\n\x1a\n")
    # Written under the working directory (each test runs in its own), and said where.
    size_kb = -(-len(chart.content) // 1024)
    assert f"[attachment: postgate-files/postgate-kpis.png ({size_kb} KB)]" in text
    assert written("postgate-files/postgate-kpis.png") == chart.content
    assert any("did not understand 'fortnight'" in line for line in bad)


async def test_an_editor_who_is_not_steering_may_see_stats(database_url: str) -> None:
    ws = await _workspace(database_url)
    try:
        await ws.send("/as editor")
        out = await ws.send("/stats week")
    finally:
        await ws.ctx.services.db.dispose()
    text = "\n".join(out)
    assert "this week so far (16 Mar 2026 to 20 Mar 2026 12:00" in text
    assert "Proposals made: 0 (same as before)" in text


async def test_each_workspace_sees_only_its_own_figures(database_url: str) -> None:
    await build_history(database_url)
    ws = await _workspace(database_url)
    other = Context(services=ws.ctx.services, port=ws.port, workspace="slack:T1")
    member = Actor(id="U1", name="Rhian", roles=frozenset({Role.PROPOSER}))
    chair = Actor(id="U2", name="Chair", roles=frozenset({Role.STEERING}))
    try:
        proposed = await run_command(
            Invocation(workspace="slack:T1", actor=member, command="propose", text=CLEAN_1), other
        )
        assert proposed.message.tone != Tone.DANGER
        clock = ws.ctx.services.clock
        assert isinstance(clock, FixedClock)
        clock.advance(timedelta(minutes=1))  # the report covers up to, not including, now
        reply = await run_command(
            Invocation(workspace="slack:T1", actor=chair, command="stats", text="month"), other
        )
    finally:
        await ws.ctx.services.db.dispose()
    text = reply.message.as_plain_text()
    assert "Proposals made: 1 (up 1 from 0)" in text
    assert "Rhian: 1 proposal (up 1 from 0)" in text
    assert "alex" not in text


async def test_the_weekly_digest_goes_to_the_steering_channel(database_url: str) -> None:
    await build_history(database_url)
    ws = await _workspace(database_url)
    clock = ws.ctx.services.clock
    assert isinstance(clock, FixedClock)
    clock.set(at(9, 8))  # Monday 9 March: last week is 2 to 8 March
    try:
        await post_kpi_digest(ws.ctx)
    finally:
        await ws.ctx.services.db.dispose()
    where, message = ws.port.sent[-1]
    assert where == "#steering"
    text = message.as_plain_text()
    assert "last week (2 Mar 2026 to 8 Mar 2026, Europe/London)" in text
    assert "Proposals made: 4 (up 2 from 2)" in text
    assert "Approved (overrules included): 3 (up 3 from 0)" in text
    assert [a.content_type for a in message.attachments] == ["image/png"]


async def test_weeks_are_local_mondays_in_summer_time(database_url: str) -> None:
    # 23:30 UTC on Sunday 5 April is 00:30 BST on Monday 6 April: that week, not the one before.
    ws = await _workspace(database_url)
    clock = ws.ctx.services.clock
    assert isinstance(clock, FixedClock)
    clock.set(datetime(2026, 4, 5, 23, 30, tzinfo=UTC))
    try:
        await ws.send(f"/propose {CLEAN_1}")
        clock.advance(timedelta(hours=1))
        await ws.send("/as editor")
        await ws.send("/react 1 white_check_mark")
        period = period_for(
            PeriodKind.MONTH, now=datetime(2026, 4, 8, 12, 0, tzinfo=UTC), timezone=LONDON
        )
        report = await gather_report(db=ws.ctx.services.db, workspace="local", period=period)
    finally:
        await ws.ctx.services.db.dispose()
    last_two = [(w.start, w.proposed, w.approved, w.median) for w in report.weeks[-2:]]
    assert last_two == [
        (datetime(2026, 3, 29, 23, 0, tzinfo=UTC), 0, 0, None),
        (datetime(2026, 4, 5, 23, 0, tzinfo=UTC), 1, 1, 3600),
    ]


async def test_a_withdrawn_vote_is_not_among_the_busiest_editors(database_url: str) -> None:
    """Only votes standing count: one taken back does not, one cast again counts once."""
    clock = FixedClock(at(2, 9))
    services = make_services(database_url, clock=clock)
    ws = LocalWorkspace(services=services, editors=("editor", "chair"), steering=("chair",))
    try:
        # An overrule needs two approvals, so single votes leave it waiting.
        for line in ("/as alex", "/propose The Tory scum are useless.", "/propose overrule 1"):
            await ws.send(line)
        clock.set(at(2, 10))
        await ws.send("/as editor")
        await ws.send("/react 1 white_check_mark")
        await ws.send("/unreact 1 white_check_mark")  # taken back
        await ws.send("/as chair")
        await ws.send("/react 1 white_check_mark")
        await ws.send("/unreact 1 white_check_mark")
        await ws.send("/react 1 white_check_mark")  # cast again: one vote standing
        period = period_for(PeriodKind.MONTH, now=at(3, 9), timezone=LONDON)
        report = await gather_report(db=services.db, workspace="local", period=period)
    finally:
        await services.db.dispose()
    assert [(p.label, p.count) for p in report.editors] == [("chair", 1)]
