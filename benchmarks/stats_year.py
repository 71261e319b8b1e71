"""Benchmark: `/stats year` and the CSV export over 100,000 proposals on PostgreSQL.

Run by hand (not part of the test suite):

    .venv/bin/python benchmarks/stats_year.py [--proposals 100000] [--runs 9] [--stats-only]

It creates its own database (a unique name) on the server named by
POSTGATE_TEST_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test),
migrates it, bulk-loads proposals, revisions, findings, votes and audit events with
COPY, times the report and the export, prints the figures, and drops the database.

Baselines, measured in the same run:
- stats: "naive", every audit event of both periods loaded into Python and the
  same figures computed there (what the SQL aggregates replace);
- export: "load-all", every row fetched into a list before writing (what the
  streamed, batched cursor replaces); peak Python memory is shown for both.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import statistics
import sys
import time
import tracemalloc
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from handlers.stats.audit_export import HEADER, audit_rows, export_row
from handlers.stats.period import PeriodKind, period_for, weeks_between
from handlers.stats.report import chart_start, gather_report
from storage import stats as S
from storage.audit import export_query
from storage.db import Database
from storage.migrate import upgrade
from storage.models import AuditEvent, AuditKind
from storage.urls import sync_url

DEFAULT_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
WORKSPACE = "slack:TBENCH"
OTHER = "discord:1"
TZ = ZoneInfo("Europe/London")
RULES = [
    ("jargon", "warn", "tone-and-language"),
    ("promise", "warn", "commitments"),
    ("imprint", "warn", "digital-imprints"),
    ("defamation", "warn", "defamation"),
    ("abuse", "block", "abusive-content"),
    ("spam", "block", "spam"),
]
PROPOSERS = [(f"U{i:04d}", f"Member {i}") for i in range(300)]
EDITORS = [(f"E{i:02d}", f"Editor {i}") for i in range(8)]


class Sink:
    """A file-like object that only counts what is written."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, data: str) -> int:
        self.chars += len(data)
        return len(data)


def _admin(base: str) -> Any:
    return create_engine(sync_url(base), isolation_level="AUTOCOMMIT")


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def fill(url: str, *, proposals: int, now: datetime, seed: int = 8) -> int:
    """Bulk-load the history with COPY; returns the number of audit events."""
    rnd = random.Random(seed)
    events = 0
    p_rows: list[tuple[Any, ...]] = []
    r_rows: list[tuple[Any, ...]] = []
    f_rows: list[tuple[Any, ...]] = []
    v_rows: list[tuple[Any, ...]] = []
    a_rows: list[tuple[Any, ...]] = []
    finding_id = vote_id = 0
    span = 730 * 86400  # two years: this year and the one before
    for pid in range(1, proposals + 1):
        workspace = WORKSPACE if rnd.random() < 0.9 else OTHER
        created = now - timedelta(seconds=rnd.randrange(span))
        author_id, author = rnd.choice(PROPOSERS)
        found = rnd.sample(RULES, k=rnd.choice((0, 0, 0, 1, 1, 2)))
        blocked = any(sev == "block" for _, sev, _ in found)
        verdict = "block" if blocked else ("warn" if found else "pass")
        outcome = rnd.choices(
            ["approved", "overruled", "rejected", "withdrawn", "expired", "open"],
            weights=[60, 2 if blocked else 0, 15, 8, 5, 10],
        )[0]
        decided_at = created + timedelta(minutes=rnd.expovariate(1 / 600))
        if decided_at > now or outcome == "open":
            outcome, decided_at_or_none = "open", None
        else:
            decided_at_or_none = decided_at
        editor_id, editor = rnd.choice(EDITORS)
        status = {"open": "pending", "overruled": "approved"}.get(outcome, outcome)
        p_rows.append(
            (
                pid,
                workspace,
                author_id,
                author,
                status,
                verdict,
                outcome == "overruled",
                1,
                "C1",
                f"m{pid}",
                "C0",
                created,
                decided_at_or_none or created,
                decided_at_or_none,
                editor if decided_at_or_none else None,
            )
        )
        r_rows.append((pid, pid, 1, f"Draft post number {pid}", verdict, created))
        for rule, sev, section in found:
            finding_id += 1
            f_rows.append((finding_id, pid, rule, sev, 0, 5, "found", "", section))
        audit: list[tuple[datetime, str, str | None, str | None, dict[str, object]]] = [
            (created, "proposed", author_id, author, {"revision": 1}),
            (
                created,
                "checked",
                None,
                None,
                {
                    "revision": 1,
                    "verdict": verdict,
                    "rules": [r for r, _, _ in found],
                    "sections": [s for _, _, s in found],
                },
            ),
        ]
        if not blocked:
            audit.append((created, "posted_for_review", None, None, {}))
        if decided_at_or_none is not None:
            if outcome in ("approved", "overruled", "rejected"):
                vote = "reject" if outcome == "rejected" else "approve"
                audit.append(
                    (decided_at, "vote_added", editor_id, editor, {"vote": vote, "revision": 1})
                )
                vote_id += 1
                v_rows.append((vote_id, pid, 1, editor_id, editor, vote, decided_at))
                audit.append((decided_at, outcome, editor_id, editor, {"revision": 1}))
            elif outcome == "withdrawn":
                audit.append((decided_at, "withdrawn", author_id, author, {"revision": 1}))
            else:
                audit.append((created + timedelta(days=14), "expired", None, None, {}))
        for at, kind, actor_id, actor_name, detail in audit:
            if at <= now:
                a_rows.append((workspace, at, kind, pid, actor_id, actor_name, json.dumps(detail)))
        events = len(a_rows)
    with psycopg.connect(_libpq(url)) as conn, conn.cursor() as cur:
        tables = (
            (
                "proposals (id, workspace, author_id, author_name, status, verdict, overrule, "
                "revision, card_channel, card_message_id, origin_channel, created_at, "
                "updated_at, decided_at, decided_by)",
                p_rows,
            ),
            ("revisions (id, proposal_id, number, text, verdict, created_at)", r_rows),
            (
                'findings (id, revision_id, rule, severity, start, "end", message, '
                "suggestion, guidance)",
                f_rows,
            ),
            (
                "votes (id, proposal_id, revision, voter_id, voter_name, kind, created_at)",
                v_rows,
            ),
            (
                "audit_events (workspace, at, kind, proposal_id, actor_id, actor_name, detail)",
                a_rows,
            ),
        )
        for target, rows in tables:
            with cur.copy(f"COPY {target} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        for table in ("proposals", "revisions", "findings", "votes"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE")
    return events


async def naive_year(db: Database, *, now: datetime) -> dict[str, Any]:
    """The baseline: every audit event of both periods into Python, figures computed there."""
    period = period_for(PeriodKind.YEAR, now=now, timezone=TZ)
    out: dict[str, Any] = {}
    async with db.session() as session:
        rows = (
            (
                await session.execute(
                    select(AuditEvent).where(
                        AuditEvent.workspace == WORKSPACE,
                        AuditEvent.at >= period.previous.start,
                        AuditEvent.at < period.current.end,
                    )
                )
            )
            .scalars()
            .all()
        )
        proposed_at = {e.proposal_id: e.at for e in rows if e.kind == "proposed"}
        for name, window in (("now", period.current), ("before", period.previous)):
            inside = [e for e in rows if window.start <= e.at < window.end]
            kinds = Counter(e.kind for e in inside)
            secs = sorted(
                (e.at - proposed_at[e.proposal_id]).total_seconds()
                for e in inside
                if e.kind in ("approved", "overruled", "rejected") and e.proposal_id in proposed_at
            )
            quantiles = statistics.quantiles(secs, n=10, method="inclusive") if secs else []
            out[name] = (kinds, statistics.median(secs) if secs else None, quantiles[-1:])
            out[name + "_people"] = Counter(e.actor_id for e in inside if e.kind == "proposed")
    return out


async def sql_year(db: Database, *, now: datetime) -> Any:
    period = period_for(PeriodKind.YEAR, now=now, timezone=TZ)
    return await gather_report(db=db, workspace=WORKSPACE, period=period)


async def one_by_one(db: Database, *, now: datetime, runs: int) -> list[tuple[str, float]]:
    """Each query of the report alone (median ms): the critical path when run side by side."""
    period = period_for(PeriodKind.YEAR, now=now, timezone=TZ)
    cur, prev = period.current, period.previous
    weeks = weeks_between(start=chart_start(period), end=cur.end, timezone=TZ)
    people = {"proposers": (AuditKind.PROPOSED,), "editors": (AuditKind.VOTE_ADDED,)}
    queries: list[tuple[str, Callable[[Any], Awaitable[Any]]]] = [
        (
            "rules",
            lambda s: S.top_rules(s, workspace=WORKSPACE, current=cur, previous=prev),
        ),
        (
            "time to decision, this year",
            lambda s: S.decision_times(s, workspace=WORKSPACE, window=cur),
        ),
        (
            "time to decision, last year",
            lambda s: S.decision_times(s, workspace=WORKSPACE, window=prev),
        ),
        (
            "busiest people",
            lambda s: S.busiest(s, workspace=WORKSPACE, roles=people, current=cur, previous=prev),
        ),
        (
            "weekly times",
            lambda s: S.weekly_times(s, workspace=WORKSPACE, weeks=weeks),
        ),
        (
            "counts (periods and weeks)",
            lambda s: S.counts_and_weeks(
                s, workspace=WORKSPACE, current=cur, previous=prev, weeks=weeks
            ),
        ),
    ]
    out = []
    async with db.session() as session:
        for name, query in queries:
            ms, _ = await timed(lambda q=query: q(session), runs)  # type: ignore[misc]
            out.append((name, ms))
    return out


async def export_streamed(db: Database) -> int:
    sink = Sink()
    writer = csv.writer(sink, lineterminator="\r\n")
    writer.writerow(HEADER)
    async for row in audit_rows(db=db, timezone=TZ):
        writer.writerow(row)
    return sink.chars


async def export_load_all(db: Database) -> int:
    """The baseline: fetch every row into a list, then write."""
    sink = Sink()
    writer = csv.writer(sink, lineterminator="\r\n")
    writer.writerow(HEADER)
    async with db.session() as session:
        rows = (await session.execute(export_query())).all()
    for r in rows:
        writer.writerow(export_row(r, timezone=TZ))
    return sink.chars


async def timed(fn: Callable[[], Awaitable[Any]], runs: int) -> tuple[float, Any]:
    """Median wall time in ms over `runs`, after one warm-up run."""
    samples, result = await sampled(fn, runs)
    return statistics.median(samples), result


async def sampled(fn: Callable[[], Awaitable[Any]], runs: int) -> tuple[list[float], Any]:
    """Each run's wall time in ms, after one warm-up run."""
    result = await fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = await fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples, result


async def peak_memory(fn: Callable[[], Awaitable[Any]]) -> float:
    tracemalloc.start()
    try:
        await fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


async def measure(url: str, *, now: datetime, runs: int, stats_only: bool) -> None:
    db = Database(url)
    try:
        samples, report = await sampled(lambda: sql_year(db, now=now), runs)
        sql_ms = statistics.median(samples)
        print(
            f"/stats year, queries (SQL aggregates): {sql_ms:8.1f} ms  "
            f"[median of {runs}; min {min(samples):.1f}, max {max(samples):.1f}; "
            f"load average {os.getloadavg()[0]:.2f}; "
            f"{report.now.proposed} proposals this year, {report.times_now.decided} decided]"
        )
        naive_ms, _ = await timed(lambda: naive_year(db, now=now), max(1, runs // 2))
        print(f"baseline naive (rows into Python):     {naive_ms:8.1f} ms")
        print(f"ratio naive / SQL:                     {naive_ms / sql_ms:8.1f}x")
        parts = await one_by_one(db, now=now, runs=runs)
        print("  each query alone: " + ", ".join(f"{n} {ms:.0f} ms" for n, ms in parts))
        print(f"  sum of the queries one after another: {sum(ms for _, ms in parts):.0f} ms")

        from handlers.stats.charts import weekly_chart

        def chart() -> int:
            return len(weekly_chart(weeks=report.weeks, timezone=TZ, title="bench").content)

        size = chart()  # warm-up: the first drawing loads the fonts
        chart_samples = []
        for _ in range(runs):
            start = time.perf_counter()
            size = chart()
            chart_samples.append((time.perf_counter() - start) * 1000)
        chart_ms = statistics.median(chart_samples)
        print(
            f"chart PNG ({len(report.weeks)} weeks, {size} bytes):     {chart_ms:8.1f} ms  "
            f"[median; min {min(chart_samples):.1f}]"
        )
        print(f"/stats year total (queries + chart):   {sql_ms + chart_ms:8.1f} ms")
        if stats_only:
            return

        stream_ms, chars = await timed(lambda: export_streamed(db), 1)
        load_ms, _ = await timed(lambda: export_load_all(db), 1)
        print(f"CSV export, streamed:                  {stream_ms:8.1f} ms  [{chars:,} chars]")
        print(f"baseline load-all export:              {load_ms:8.1f} ms")
        stream_mb = await peak_memory(lambda: export_streamed(db))
        load_mb = await peak_memory(lambda: export_load_all(db))
        print(f"CSV export peak Python memory, streamed: {stream_mb:7.1f} MiB")
        print(f"baseline load-all peak Python memory:    {load_mb:7.1f} MiB")
        print(f"memory ratio load-all / streamed:        {load_mb / stream_mb:7.1f}x")
    finally:
        await db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument(
        "--stats-only", action="store_true", help="skip the CSV export (the slow part)"
    )
    args = parser.parse_args()
    base = os.environ.get("POSTGATE_TEST_DATABASE_URL", DEFAULT_BASE)
    name = f"postgate_bench_{uuid.uuid4().hex[:12]}"
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    admin = _admin(base)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        upgrade(url)
        now = datetime.now(UTC)
        start = time.perf_counter()
        events = fill(url, proposals=args.proposals, now=now)
        print(f"load average before measuring: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
        print(
            f"filled {args.proposals:,} proposals and {events:,} audit events "
            f"in {time.perf_counter() - start:.1f} s (PostgreSQL, COPY)"
        )
        asyncio.run(measure(url, now=now, runs=args.runs, stats_only=args.stats_only))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
