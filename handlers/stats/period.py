"""Which stretch of time a `/stats` report covers, in the party's timezone.

Periods are calendar periods (a week starts on Monday), because that is how a
committee reports: "this month", "last quarter". The current period is compared
with the same stretch of the previous one (the 1st to the 27th of November with
the 1st to the 27th of October), so a half-finished month is never set against a
whole one. `last` reports the previous complete period against the one before.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from storage.stats import Window


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


DEFAULT_PERIOD = PeriodKind.MONTH
_NAMES = {
    **{k.value: k for k in PeriodKind},
    "weekly": PeriodKind.WEEK,
    "monthly": PeriodKind.MONTH,
    "quarterly": PeriodKind.QUARTER,
    "yearly": PeriodKind.YEAR,
}
_MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    kind: PeriodKind
    complete: bool  # a whole past period (`last`), or the current one so far
    current: Window
    previous: Window
    timezone: ZoneInfo

    def describe(self) -> str:
        """E.g. "this month so far (1 Nov 2026 to 27 Nov 2026 20:15, Europe/London)"."""
        first = self.current.start.astimezone(self.timezone)
        if self.complete:
            last = (self.current.end.astimezone(self.timezone) - timedelta(days=1)).date()
            return (
                f"last {self.kind.value} ({_day(first.date())} to {_day(last)}, "
                f"{self.timezone.key}), a calendar {self.kind.value}"
            )
        now = self.current.end.astimezone(self.timezone)
        return (
            f"this {self.kind.value} so far ({_day(first.date())} to "
            f"{_day(now.date())} {now:%H:%M}, {self.timezone.key}), a calendar {self.kind.value}"
        )

    def describe_previous(self) -> str:
        first = self.previous.start.astimezone(self.timezone)
        end = self.previous.end.astimezone(self.timezone)
        if self.complete:
            last = (end - timedelta(days=1)).date()
            return f"the {self.kind.value} before ({_day(first.date())} to {_day(last)})"
        return (
            f"the same stretch of the previous {self.kind.value} "
            f"({_day(first.date())} to {_day(end.date())} {end:%H:%M})"
        )


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def _local_midnight(d: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(d, time(0), tzinfo=tz)


def _period_start(kind: PeriodKind, local: datetime) -> date:
    today = local.date()
    if kind is PeriodKind.WEEK:
        return today - timedelta(days=today.weekday())
    if kind is PeriodKind.MONTH:
        return today.replace(day=1)
    if kind is PeriodKind.QUARTER:
        return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    return today.replace(month=1, day=1)


def _shift(kind: PeriodKind, local: datetime, steps: int) -> datetime:
    """The same wall-clock moment `steps` periods away (days clamped to the month's end)."""
    if kind is PeriodKind.WEEK:
        moved = local.replace(tzinfo=None) + timedelta(weeks=steps)
        return moved.replace(tzinfo=local.tzinfo)
    months = local.year * 12 + (local.month - 1) + steps * _MONTHS[kind]
    year, month = divmod(months, 12)
    month += 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def period_for(
    kind: PeriodKind, *, now: datetime, timezone: ZoneInfo, complete: bool = False
) -> Period:
    local_now = now.astimezone(timezone)
    start = _local_midnight(_period_start(kind, local_now), timezone)
    if complete:
        current = Window(_utc(_shift(kind, start, -1)), _utc(start))
        previous = Window(_utc(_shift(kind, start, -2)), current.start)
    else:
        current = Window(_utc(start), now.astimezone(UTC))
        previous_start = _shift(kind, start, -1)
        same_moment = _shift(kind, local_now, -1)
        if kind is not PeriodKind.WEEK and same_moment.day != local_now.day:
            # 31 March has no 30th/31st in February: the stretch is all of February.
            previous_end = current.start
        else:
            previous_end = min(_utc(same_moment), current.start)
        previous = Window(_utc(previous_start), previous_end)
    return Period(
        kind=kind, complete=complete, current=current, previous=previous, timezone=timezone
    )


def _utc(local: datetime) -> datetime:
    return local.astimezone(UTC)


def weeks_between(*, start: datetime, end: datetime, timezone: ZoneInfo) -> list[Window]:
    """Calendar weeks (Monday 00:00 local) from the week holding `start` to the one
    holding `end`; the last one stops at `end` when it is not over yet."""
    local_start = start.astimezone(timezone).date()
    monday = local_start - timedelta(days=local_start.weekday())
    weeks: list[Window] = []
    while True:
        week_start = _utc(_local_midnight(monday, timezone))
        if week_start >= end:
            break
        next_monday = monday + timedelta(days=7)
        week_end = min(_utc(_local_midnight(next_monday, timezone)), end)
        weeks.append(Window(week_start, week_end))
        monday = next_monday
    return weeks


def parse_period(text: str) -> tuple[PeriodKind, bool] | None:
    """`""`, `month`, `last quarter`, ... -> (kind, complete); None when not understood."""
    words = text.lower().split()
    complete = bool(words) and words[0] in {"last", "previous"}
    if complete:
        words = words[1:]
    if not words:
        return (DEFAULT_PERIOD, complete)
    if len(words) != 1:
        return None
    kind = _NAMES.get(words[0])
    return None if kind is None else (kind, complete)
