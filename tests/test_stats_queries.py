"""The KPI queries on hand-made audit rows: percentile interpolation, windows, weeks.

The end-to-end figures (a history made through the real workflow) are in
test_stats_history.py; here the rows are exact so edge cases are easy to see.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.stats_period import weeks_between
from storage.db import Database
from storage.models import AuditEvent, AuditKind, FindingRow, Proposal, Revision
from storage.stats import Window, busiest, count_events, decision_times, top_rules, weekly

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, in GMT
LONDON = ZoneInfo("Europe/London")
STATUS_AFTER: dict[AuditKind | None, str] = {
    AuditKind.APPROVED: "approved",
    AuditKind.OVERRULED: "approved",
    AuditKind.REJECTED: "rejected",
    AuditKind.WITHDRAWN: "withdrawn",
    AuditKind.EXPIRED: "expired",
}
EMPTY = Window(T0 - timedelta(days=400), T0 - timedelta(days=400))


async def _proposal(
    db: Database,
    *,
    at: datetime,
    author: str,
    decision: AuditKind | None = None,
    after: timedelta = timedelta(0),
    editor: str = "ed",
    rules: tuple[tuple[str, str], ...] = (),
    workspace: str = "local",
) -> int:
    status = STATUS_AFTER.get(decision, "pending")
    decided_at = at + after if decision is not None else None
    async with db.transaction() as s:
        p = Proposal(
            workspace=workspace,
            author_id=author,
            author_name=author.title(),
            status=status,
            verdict="pass",
            overrule=decision is AuditKind.OVERRULED,
            created_at=at,
            updated_at=decided_at or at,
            decided_at=decided_at,
        )
        rev = Revision(number=1, text="x", verdict="pass", created_at=at)
        rev.findings = [
            FindingRow(rule=r, severity="warn", start=0, end=1, message="m", guidance=g)
            for r, g in rules
        ]
        p.revisions = [rev]
        s.add(p)
        await s.flush()
        s.add(
            AuditEvent(
                workspace=workspace,
                at=at,
                kind=AuditKind.PROPOSED.value,
                proposal_id=p.id,
                actor_id=author,
                actor_name=author.title(),
                detail={"revision": 1},
            )
        )
        if decision is not None:
            s.add(
                AuditEvent(
                    workspace=workspace,
                    at=at + after,
                    kind=decision.value,
                    proposal_id=p.id,
                    actor_id=editor,
                    actor_name=editor.title(),
                    detail={},
                )
            )
        return p.id


async def test_median_and_p90_interpolate_like_percentile_cont(database: Database) -> None:
    for i, hours in enumerate([1, 2, 3, 4, 10]):
        await _proposal(
            database,
            at=T0 + timedelta(minutes=i),
            author="ann",
            decision=AuditKind.APPROVED,
            after=timedelta(hours=hours),
        )
    # A withdrawal and an expiry are not editor decisions: they do not count in the times.
    await _proposal(
        database, at=T0, author="bob", decision=AuditKind.EXPIRED, after=timedelta(days=14)
    )
    await _proposal(
        database, at=T0, author="bob", decision=AuditKind.WITHDRAWN, after=timedelta(hours=1)
    )
    async with database.session() as s:
        times, _ = await decision_times(
            s, workspace="local", current=Window(T0, T0 + timedelta(days=30)), previous=EMPTY
        )
    assert times.decided == 5
    assert times.median == 3 * 3600
    # position 1 + 0.9 * 4 = 4.6: 4 h + 0.6 * (10 h - 4 h) = 7.6 h
    assert times.p90 is not None and abs(times.p90 - 7.6 * 3600) < 1e-6


async def test_single_and_no_decision(database: Database) -> None:
    await _proposal(
        database, at=T0, author="ann", decision=AuditKind.REJECTED, after=timedelta(minutes=90)
    )
    async with database.session() as s:
        day = Window(T0, T0 + timedelta(days=1))
        one, _ = await decision_times(s, workspace="local", current=day, previous=EMPTY)
        none, _ = await decision_times(s, workspace="elsewhere", current=day, previous=EMPTY)
    assert (one.decided, one.median, one.p90) == (1, 5400, 5400)
    assert (none.decided, none.median, none.p90) == (0, None, None)


async def test_counts_split_by_window_and_workspace(database: Database) -> None:
    before = Window(T0 - timedelta(days=7), T0)
    now = Window(T0, T0 + timedelta(days=7))
    await _proposal(database, at=T0 - timedelta(days=2), author="ann")
    await _proposal(
        database,
        at=T0 - timedelta(days=1),
        author="ann",
        decision=AuditKind.OVERRULED,
        after=timedelta(days=2),
    )
    await _proposal(database, at=T0 + timedelta(days=1), author="bob", decision=AuditKind.REJECTED)
    await _proposal(database, at=T0 + timedelta(days=7), author="bob")  # just outside
    await _proposal(database, at=T0, author="cat", workspace="slack:T1")
    async with database.session() as s:
        c_now, c_before = await count_events(s, workspace="local", current=now, previous=before)
        people = await busiest(
            s, workspace="local", kinds=(AuditKind.PROPOSED,), current=now, previous=before
        )
    assert (c_before.proposed, c_before.approved, c_before.overruled) == (2, 0, 0)
    assert (c_now.proposed, c_now.approved, c_now.overruled, c_now.rejected) == (1, 1, 1, 1)
    assert c_now.approval_rate == 0.5
    assert [(p.label, p.count, p.previous) for p in people] == [("Bob", 1, 0)]


async def test_top_rules_count_checks_and_name_sections(database: Database) -> None:
    window = Window(T0, T0 + timedelta(days=7))
    previous = Window(T0 - timedelta(days=7), T0)
    # One check with the same rule twice counts once.
    await _proposal(database, at=T0, author="ann", rules=(("jargon", "tone"), ("jargon", "tone")))
    await _proposal(
        database, at=T0, author="ann", rules=(("jargon", "tone"), ("promise", "promises"))
    )
    await _proposal(database, at=T0 - timedelta(days=1), author="ann", rules=(("promise", "p"),))
    async with database.session() as s:
        rules = await top_rules(s, workspace="local", current=window, previous=previous)
    assert [(r.key, r.count, r.previous, r.sections) for r in rules] == [
        ("jargon", 2, 0, ("tone",)),
        ("promise", 1, 1, ("promises",)),
    ]


async def test_weeks_follow_local_mondays_across_the_clock_change(database: Database) -> None:
    # Clocks go forward on Sunday 29 March 2026: Monday 30 March starts at 23:00 UTC on the 29th.
    start = datetime(2026, 3, 23, 0, 0, tzinfo=UTC)
    end = datetime(2026, 4, 3, 12, 0, tzinfo=UTC)
    weeks = weeks_between(start=start, end=end, timezone=LONDON)
    assert [w.start for w in weeks] == [
        datetime(2026, 3, 23, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 23, 0, tzinfo=UTC),
    ]
    assert weeks[-1].end == end
    # 23:30 UTC on Sunday 29 March is already Monday in London: the second week.
    await _proposal(
        database,
        at=datetime(2026, 3, 29, 23, 30, tzinfo=UTC),
        author="ann",
        decision=AuditKind.APPROVED,
        after=timedelta(hours=2),
    )
    async with database.session() as s:
        figures = await weekly(s, workspace="local", weeks=weeks)
    assert [(f.proposed, f.approved, f.median) for f in figures] == [
        (0, 0, None),
        (1, 1, 7200),
    ]
