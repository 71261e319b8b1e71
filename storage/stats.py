"""KPI queries over the audit log and the proposals, computed by the database.

Every figure is an aggregate the database works out; Python receives at most a few
hundred partial counts. docs/kpis.md explains each query and its indexes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    TIMESTAMP,
    Float,
    Integer,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.db import Database
from storage.models import (
    AuditEvent,
    AuditKind,
    FindingRow,
    Proposal,
    ProposalStatus,
    Revision,
    UTCDateTime,
    Vote,
)

COUNTED = (
    AuditKind.PROPOSED,
    AuditKind.APPROVED,
    AuditKind.OVERRULED,
    AuditKind.REJECTED,
    AuditKind.CHANGES_REQUESTED,
    AuditKind.EXPIRED,
    AuditKind.WITHDRAWN,
)


_REPORT_SETTINGS = (
    "SELECT set_config('max_parallel_workers_per_gather', '0', true), "
    "set_config('work_mem', '16MB', true)"
)


@asynccontextmanager
async def report_session(db: Database) -> AsyncIterator[AsyncSession]:
    """A session for one of the report's queries, which run side by side."""
    async with db.session() as session:
        if not db.is_sqlite:
            # The report runs its queries side by side, so no parallel workers; the
            # rules' distinct counts need more than the default 4 MB to stay in memory.
            await session.execute(text(_REPORT_SETTINGS))
        yield session


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open stretch of time [start, end), both UTC-aware."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Counts:
    proposed: int = 0
    approved: int = 0  # overruled included: an overrule is an approval
    overruled: int = 0
    rejected: int = 0
    changes_requested: int = 0
    expired: int = 0
    withdrawn: int = 0

    @property
    def approval_rate(self) -> float | None:
        """Approved out of the posts editors decided (approved + rejected)."""
        judged = self.approved + self.rejected
        return self.approved / judged if judged else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Durations:
    """Time from proposal to an editor's decision, in seconds."""

    decided: int
    median: float | None
    p90: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Ranked:
    """One rule or person with their count now and in the previous period."""

    key: str
    label: str
    count: int
    previous: int
    sections: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class WeekFigures:
    start: datetime
    proposed: int
    approved: int
    rejected: int
    other_decided: int  # withdrawn or expired
    median: float | None
    p90: float | None


@dataclass(frozen=True, slots=True)
class _Split:
    """Both windows over one column: the span to read, and which window a row is in."""

    since: datetime
    until: datetime
    now: ColumnElement[bool]
    before: ColumnElement[bool]


def _split(column: Any, *, current: Window, previous: Window) -> _Split:
    """Rows are read from the earliest start to the latest end; when the previous
    window ends before the current one starts, one comparison per row tells them apart."""
    since, until = min(current.start, previous.start), max(current.end, previous.end)
    if previous.end <= current.start:
        return _Split(since, until, column >= current.start, column < previous.end)
    return _Split(
        since,
        until,
        and_(column >= current.start, column < current.end),
        and_(column >= previous.start, column < previous.end),
    )


def _tally(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """The rows of a group meeting `condition` (`FILTER`: both databases have it)."""
    return func.count().filter(condition)


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _seconds_between(dialect: str, start: Any, end: Any) -> ColumnElement[Any]:
    """Whole seconds from `start` to `end`, as an integer, in either dialect."""
    if dialect == "sqlite":
        days = func.julianday(end) - func.julianday(start)
        return cast(func.round(days * 86400.0), Integer)
    return cast(func.round(func.extract("epoch", end - start)), Integer)


def _counts(by_kind: dict[str, int]) -> Counts:
    def get(kind: AuditKind) -> int:
        return by_kind.get(kind.value, 0)

    return Counts(
        proposed=get(AuditKind.PROPOSED),
        approved=get(AuditKind.APPROVED) + get(AuditKind.OVERRULED),
        overruled=get(AuditKind.OVERRULED),
        rejected=get(AuditKind.REJECTED),
        changes_requested=get(AuditKind.CHANGES_REQUESTED),
        expired=get(AuditKind.EXPIRED),
        withdrawn=get(AuditKind.WITHDRAWN),
    )


def _decided(*, workspace: str, since: datetime, until: datetime) -> ColumnElement[bool]:
    """Proposals an editor approved (overrules included) or rejected in [since, until)."""
    return and_(
        Proposal.workspace == workspace,
        Proposal.status.in_([ProposalStatus.APPROVED.value, ProposalStatus.REJECTED.value]),
        Proposal.decided_at >= since,
        Proposal.decided_at < until,
    )


def _percentiles(durations: Any, dialect: str) -> Any:
    """Per group: the count, the median and the 90th percentile.

    PostgreSQL has `percentile_cont`. SQLite has none, so there the durations are
    ranked with windows and the same linear interpolation is done by hand; integer
    arithmetic finds the ranks, so both give the same figures.
    """
    d = durations.subquery("d")
    if dialect == "postgresql":
        return select(
            d.c.grp,
            func.count().label("decided"),
            func.percentile_cont(0.5).within_group(d.c.secs).label("median"),
            func.percentile_cont(0.9).within_group(d.c.secs).label("p90"),
        ).group_by(d.c.grp)
    ranked = select(
        d.c.grp,
        d.c.secs,
        func.row_number().over(partition_by=d.c.grp, order_by=d.c.secs).label("rn"),
        func.count().over(partition_by=d.c.grp).label("n"),
    ).subquery("ranked")

    def percentile(percent: int) -> ColumnElement[Any]:
        scaled = (ranked.c.n - 1) * percent
        low_rank = scaled // 100 + 1  # floor division: SQLAlchemy 2 renders `/` as true division
        low = func.min(case((ranked.c.rn == low_rank, ranked.c.secs)))
        high = func.min(case((ranked.c.rn == low_rank + 1, ranked.c.secs)))
        fraction = func.max(cast(scaled % 100, Float) / 100.0)
        return cast(low, Float) + fraction * cast(func.coalesce(high, low) - low, Float)

    return select(
        ranked.c.grp,
        func.count().label("decided"),
        percentile(50).label("median"),
        percentile(90).label("p90"),
    ).group_by(ranked.c.grp)


async def decision_times(session: AsyncSession, *, workspace: str, window: Window) -> Durations:
    """Median and 90th percentile time to decision for the decisions in `window`."""
    dialect = _dialect(session)
    durations = select(
        literal(0).label("grp"),
        _seconds_between(dialect, Proposal.created_at, Proposal.decided_at).label("secs"),
    ).where(_decided(workspace=workspace, since=window.start, until=window.end))
    row = (await session.execute(_percentiles(durations, dialect))).first()
    if row is None:
        return Durations(decided=0, median=None, p90=None)
    return Durations(decided=int(row.decided), median=_float(row.median), p90=_float(row.p90))


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _distinct_list(dialect: str, value: Any) -> ColumnElement[Any]:
    """The distinct non-null values of a group, comma-separated, in either dialect."""
    if dialect == "sqlite":
        return func.group_concat(value.distinct())
    return func.string_agg(value.distinct(), literal_column("','"))


def _in_other_workspace(proposal_id: Any, workspace: str) -> ColumnElement[bool]:
    """Whether the proposal belongs to another workspace.

    Every revision has its proposal, so `NOT` this keeps a workspace's rows while the
    database looks up only the other workspaces' proposals, usually far fewer.
    """
    return (
        select(literal(1))
        .where(Proposal.id == proposal_id, Proposal.workspace != workspace)
        .exists()
    )


async def top_rules(
    session: AsyncSession, *, workspace: str, current: Window, previous: Window, limit: int = 5
) -> list[Ranked]:
    """The rules found most often in checks, with the guidance sections they cited.

    A check (one revision of a draft) counts once per rule however many times the
    rule matched in it. Findings carry the section each rule enforced at the time,
    so a later policy change does not rewrite history.
    """

    split = _split(Revision.created_at, current=current, previous=previous)

    def checks_in(inside: ColumnElement[bool]) -> ColumnElement[Any]:
        return func.count(case((inside, Revision.id)).distinct())

    now_n = checks_in(split.now)
    query = (
        select(
            FindingRow.rule,
            now_n.label("now"),
            checks_in(split.before).label("before"),
            _distinct_list(_dialect(session), case((split.now, FindingRow.guidance))).label(
                "sections"
            ),
        )
        .join(Revision, FindingRow.revision_id == Revision.id)
        .where(
            ~_in_other_workspace(Revision.proposal_id, workspace),
            Revision.created_at >= split.since,
            Revision.created_at < split.until,
        )
        .group_by(FindingRow.rule)
        .having(now_n > 0)
        .order_by(now_n.desc(), FindingRow.rule)
        .limit(limit)
    )
    return [
        Ranked(
            key=r.rule,
            label=r.rule,
            count=int(r.now),
            previous=int(r.before),
            sections=tuple(sorted(set((r.sections or "").split(",")) - {""})),
        )
        for r in (await session.execute(query)).all()
    ]


async def busiest_proposers(
    session: AsyncSession, *, workspace: str, current: Window, previous: Window, limit: int = 3
) -> list[Ranked]:
    """The `limit` people who made the most proposals in `current`, with their previous
    count (from the audit log, read from its covering index)."""
    split = _split(AuditEvent.at, current=current, previous=previous)
    now_n = _tally(split.now)
    name = func.max(AuditEvent.actor_name)
    query = (
        select(
            AuditEvent.actor_id,
            name.label("name"),
            now_n.label("now"),
            _tally(split.before).label("before"),
        )
        .where(
            AuditEvent.workspace == workspace,
            AuditEvent.kind == AuditKind.PROPOSED.value,
            AuditEvent.actor_id.is_not(None),
            AuditEvent.at >= split.since,
            AuditEvent.at < split.until,
        )
        .group_by(AuditEvent.actor_id)
        .having(now_n > 0)
        .order_by(now_n.desc(), name, AuditEvent.actor_id)
        .limit(limit)
    )
    return [
        Ranked(key=r.actor_id, label=r.name or r.actor_id, count=int(r.now), previous=int(r.before))
        for r in (await session.execute(query)).all()
    ]


async def busiest_voters(
    session: AsyncSession,
    *,
    workspace: str,
    current: Window,
    previous: Window,
    limit: int = 3,
) -> list[Ranked]:
    """The `limit` editors with the most votes standing, by when each was cast.

    From the votes table, where a vote taken back is deleted: a vote withdrawn
    never counts, and one cast again counts once.
    """
    split = _split(Vote.created_at, current=current, previous=previous)
    now_n = _tally(split.now)
    query = (
        select(
            Vote.voter_id,
            func.max(Vote.voter_name).label("name"),
            now_n.label("now"),
            _tally(split.before).label("before"),
        )
        .join(Proposal, Proposal.id == Vote.proposal_id)
        .where(
            Proposal.workspace == workspace,
            Vote.created_at >= split.since,
            Vote.created_at < split.until,
        )
        .group_by(Vote.voter_id)
        .having(now_n > 0)
        .order_by(now_n.desc(), func.max(Vote.voter_name), Vote.voter_id)
        .limit(limit)
    )
    return [
        Ranked(key=r.voter_id, label=r.name or r.voter_id, count=int(r.now), previous=int(r.before))
        for r in (await session.execute(query)).all()
    ]


def _windows_table(windows: list[Window]) -> Any:
    """The windows' boundaries as a small table, so rows are bucketed by a join."""
    rows = [
        select(
            literal(i, Integer).label("idx"),
            literal(w.start, UTCDateTime()).label("ws"),
            literal(w.end, UTCDateTime()).label("we"),
        )
        for i, w in enumerate(windows)
    ]
    return union_all(*rows).cte("windows")


def _window_of(
    dialect: str, column: Any, windows: list[Window]
) -> tuple[ColumnElement[Any], Any, Callable[[Any], int | None]]:
    """How to put `column` in one of `windows` (contiguous, sorted, the rows already
    filtered to their span): the group expression, an optional join, and how to turn a
    group value back into the index of its window.

    PostgreSQL finds each row's window with `width_bucket` over the sorted starts;
    SQLite has none, so there the rows join a small table of the windows.
    """
    if dialect == "postgresql":
        starts = bindparam(
            "starts",
            value=[w.start for w in windows],
            type_=ARRAY(TIMESTAMP(timezone=True)),
        )
        # Bucket k (1-based) is windows[k - 1].
        return func.width_bucket(column, starts), None, lambda k: int(k) - 1
    table = _windows_table(windows)
    join = (table, and_(column >= table.c.ws, column < table.c.we))
    return table.c.idx, join, int


async def counts_and_weeks(
    session: AsyncSession,
    *,
    workspace: str,
    current: Window,
    previous: Window,
    weeks: list[Window],
) -> tuple[Counts, Counts, dict[int, Counts]]:
    """The decision and activity counts in both windows, and per week (by index in `weeks`).

    Each event is counted once, into a stretch between two consecutive boundaries of
    any window or week; the few hundred stretch counts are then added up per window and
    per week. Every stretch lies wholly inside or outside each window and week, so the
    sums are exact.
    """
    edges = sorted(
        {current.start, current.end, previous.start, previous.end}
        | {w.start for w in weeks}
        | {w.end for w in weeks}
    )
    stretches = [Window(start, end) for start, end in pairwise(edges)]
    stretch, join, index_of = _window_of(_dialect(session), AuditEvent.at, stretches)
    query = select(AuditEvent.kind, stretch.label("k"), func.count().label("n")).select_from(
        AuditEvent
    )
    if join is not None:
        query = query.join(*join)
    query = query.where(
        AuditEvent.workspace == workspace,
        AuditEvent.kind.in_([k.value for k in COUNTED]),
        AuditEvent.at >= edges[0],
        AuditEvent.at < edges[-1],
    ).group_by(AuditEvent.kind, stretch)
    now: Counter[str] = Counter()
    before: Counter[str] = Counter()
    by_week: dict[int, Counter[str]] = {}
    for r in (await session.execute(query)).all():
        i = index_of(r.k)
        if i is None:
            continue
        part, n = stretches[i], int(r.n)
        if current.start <= part.start and part.end <= current.end:
            now[r.kind] += n
        if previous.start <= part.start and part.end <= previous.end:
            before[r.kind] += n
        week = next((j for j, w in enumerate(weeks) if w.start <= part.start < w.end), None)
        if week is not None:
            by_week.setdefault(week, Counter())[r.kind] += n
    return _counts(now), _counts(before), {j: _counts(kinds) for j, kinds in by_week.items()}


async def weekly_times(
    session: AsyncSession, *, workspace: str, weeks: list[Window]
) -> dict[int, Durations]:
    """Per week (by index in `weeks`): median and 90th percentile time to decision."""
    if not weeks:
        return {}
    dialect = _dialect(session)
    week, join, index_of = _window_of(dialect, Proposal.decided_at, weeks)
    durations = select(
        week.label("grp"),
        _seconds_between(dialect, Proposal.created_at, Proposal.decided_at).label("secs"),
    ).select_from(Proposal)
    if join is not None:
        durations = durations.join(*join)
    durations = durations.where(
        _decided(workspace=workspace, since=weeks[0].start, until=weeks[-1].end)
    )
    out: dict[int, Durations] = {}
    for r in (await session.execute(_percentiles(durations, dialect))).all():
        i = index_of(r.grp)
        if i is not None:
            out[i] = Durations(decided=int(r.decided), median=_float(r.median), p90=_float(r.p90))
    return out


def week_figures(
    weeks: list[Window], counts: dict[int, Counts], times: dict[int, Durations]
) -> list[WeekFigures]:
    """The two per-week results side by side, with empty weeks filled in."""
    out: list[WeekFigures] = []
    for i, week in enumerate(weeks):
        c = counts.get(i, Counts())
        t = times.get(i)
        out.append(
            WeekFigures(
                start=week.start,
                proposed=c.proposed,
                approved=c.approved,
                rejected=c.rejected,
                other_decided=c.withdrawn + c.expired,
                median=t.median if t else None,
                p90=t.p90 if t else None,
            )
        )
    return out


async def workspaces(session: AsyncSession) -> list[str]:
    """Workspaces with audit events, most recently active first."""
    query = (
        select(AuditEvent.workspace, func.max(AuditEvent.at).label("last"))
        .group_by(AuditEvent.workspace)
        .order_by(func.max(AuditEvent.at).desc(), AuditEvent.workspace)
    )
    return [str(r.workspace) for r in (await session.execute(query)).all()]
