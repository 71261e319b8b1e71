"""Which stretch of time a report covers: calendar periods in the party's timezone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.stats.period import PeriodKind, parse_period, period_for, weeks_between

LONDON = ZoneInfo("Europe/London")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_this_month_so_far_against_the_same_stretch_of_the_previous_month() -> None:
    # 31 March: February has no 31st, so the previous stretch is the whole of February.
    p = period_for(PeriodKind.MONTH, now=utc(2026, 3, 31, 9, 0), timezone=LONDON)
    assert (p.current.start, p.current.end) == (utc(2026, 3, 1), utc(2026, 3, 31, 9, 0))
    assert (p.previous.start, p.previous.end) == (utc(2026, 2, 1), utc(2026, 3, 1))


def test_periods_start_at_local_midnight_in_summer_time() -> None:
    now = utc(2026, 7, 15, 12, 0)  # BST: local midnight is 23:00 UTC the day before
    week = period_for(PeriodKind.WEEK, now=now, timezone=LONDON)
    assert week.current.start == utc(2026, 7, 12, 23, 0)  # Monday 13 July, 00:00 BST
    assert week.previous == type(week.previous)(utc(2026, 7, 5, 23, 0), utc(2026, 7, 8, 12, 0))
    quarter = period_for(PeriodKind.QUARTER, now=now, timezone=LONDON)
    assert quarter.current.start == utc(2026, 6, 30, 23, 0)  # 1 July BST
    assert quarter.previous.start == utc(2026, 3, 31, 23, 0)  # 1 April BST
    year = period_for(PeriodKind.YEAR, now=now, timezone=LONDON, complete=True)
    assert (year.current.start, year.current.end) == (utc(2025, 1, 1), utc(2026, 1, 1))
    assert (year.previous.start, year.previous.end) == (utc(2024, 1, 1), utc(2025, 1, 1))


def test_a_new_year_just_begun_compares_with_the_same_minutes_last_year() -> None:
    p = period_for(PeriodKind.YEAR, now=utc(2027, 1, 1, 0, 30), timezone=LONDON)
    assert (p.previous.start, p.previous.end) == (utc(2026, 1, 1), utc(2026, 1, 1, 0, 30))


def test_weeks_follow_local_mondays_across_the_clock_change() -> None:
    # Clocks go forward on Sunday 29 March 2026: Monday 30 March starts at 23:00 UTC on the 29th.
    weeks = weeks_between(
        start=utc(2026, 3, 25, 12, 0), end=utc(2026, 4, 3, 12, 0), timezone=LONDON
    )
    assert [(w.start, w.end) for w in weeks] == [
        (utc(2026, 3, 23), utc(2026, 3, 29, 23, 0)),
        (utc(2026, 3, 29, 23, 0), utc(2026, 4, 3, 12, 0)),
    ]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", (PeriodKind.MONTH, False)),
        ("week", (PeriodKind.WEEK, False)),
        ("  Quarter ", (PeriodKind.QUARTER, False)),
        ("last year", (PeriodKind.YEAR, True)),
        ("previous month", (PeriodKind.MONTH, True)),
        ("last", (PeriodKind.MONTH, True)),
        ("fortnight", None),
        ("month please", None),
    ],
)
def test_parse_period(typed: str, expected: tuple[PeriodKind, bool] | None) -> None:
    assert parse_period(typed) == expected
