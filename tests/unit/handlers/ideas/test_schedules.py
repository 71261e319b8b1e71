"""Reminder times as people type them, and what they mean around the clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.ideas.dates import parse_day, parse_span, unreadable
from handlers.ideas.schedules import ScheduleError, describe, next_run, parse_schedule

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("typed", "cron", "words"),
    [
        ("mon 09:00", "0 9 * * mon", "Mondays at 09:00"),
        ('"Monday 9am"', "0 9 * * mon", "Mondays at 09:00"),
        ("weekdays 8:30", "30 8 * * mon-fri", "weekdays (Mon-Fri) at 08:30"),
        ("daily 6pm", "0 18 * * *", "every day at 18:00"),
        ("mon,thu 18:30", "30 18 * * mon,thu", "Mon, Thu at 18:30"),
        ("0 9 * * 1", "0 9 * * mon", "Mondays at 09:00"),  # cron: 1 = Monday
        ("0 9 * * 0", "0 9 * * sun", "Sundays at 09:00"),  # cron: 0 = Sunday
        ("30 9 * * 1-5", "30 9 * * mon-fri", "weekdays (Mon-Fri) at 09:30"),
    ],
)
def test_schedules_as_typed(typed: str, cron: str, words: str) -> None:
    assert parse_schedule(typed) == cron
    assert describe(cron) == words


@pytest.mark.parametrize("typed", ["funday 09:00", "mon 25:00", "mon 9:75", "1 2 3", "0 9 * * 8"])
def test_schedules_that_cannot_be_read(typed: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(typed)


def test_nine_in_the_morning_stays_nine_across_the_clock_changes() -> None:
    # Clocks go back on Sunday 25 October 2026 and forward on Sunday 28 March 2027.
    before = next_run("0 9 * * mon", timezone=LONDON, now=datetime(2026, 10, 20, tzinfo=UTC))
    after = next_run("0 9 * * mon", timezone=LONDON, now=datetime(2026, 10, 27, tzinfo=UTC))
    spring = next_run("0 9 * * mon", timezone=LONDON, now=datetime(2027, 3, 27, tzinfo=UTC))
    assert before is not None and after is not None and spring is not None
    assert before.astimezone(UTC) == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)  # GMT already
    assert after.astimezone(UTC) == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert spring.astimezone(UTC) == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)  # BST
    assert {m.astimezone(LONDON).hour for m in (before, after, spring)} == {9}


def test_a_pause_until_a_day_moves_the_next_run_to_that_day() -> None:
    resumed = next_run(
        "0 9 * * mon",
        timezone=LONDON,
        now=datetime(2026, 12, 1, tzinfo=UTC),
        not_before=date(2027, 1, 5),
    )
    assert resumed == datetime(2027, 1, 11, 9, 0, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("29 Feb", date(2028, 2, 29)),  # the next leap year
        ("31/1", date(2027, 1, 31)),
        ("in 3 days", date(2026, 12, 3)),
        ("1m", date(2026, 12, 30)),
        ("next friday", date(2026, 12, 4)),
        ("2026-11-30", date(2026, 11, 30)),
    ],
)
def test_days_as_typed(typed: str, expected: date) -> None:
    assert parse_day(typed, today=date(2026, 11, 30)) == expected


@pytest.mark.parametrize(
    ("typed", "today", "expected"),
    [
        ("5 Dec", date(2026, 12, 6), date(2026, 12, 5)),  # just passed, not next year
        ("6 Nov", date(2026, 12, 6), date(2026, 11, 6)),  # a month back: still passed
        ("4 Nov", date(2026, 12, 6), date(2027, 11, 4)),  # longer ago: next year's
        ("20 Dec", date(2027, 1, 5), date(2026, 12, 20)),  # last year's, just passed
        ("20/12", date(2027, 1, 5), date(2026, 12, 20)),
        ("3 Jan", date(2026, 11, 27), date(2027, 1, 3)),
        ("yesterday", date(2026, 12, 6), date(2026, 12, 5)),
    ],
)
def test_a_day_and_month_just_passed_is_that_day(typed: str, today: date, expected: date) -> None:
    assert parse_day(typed, today=today) == expected


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("0d", '"0d" is no time at all'),
        ("in 0 days", '"in 0 days" is no time at all'),
        ("100m", '"100m" is more than a year'),
        ("12/25", "dates go day first, for example 25/12 or 25 Dec."),
        ("12/25 leaflets", 'could not read "12/25" as a date: dates go day first'),
        ("someday", None),
        ("13/25", None),
    ],
)
def test_why_a_day_cannot_be_read(typed: str, says: str | None) -> None:
    assert parse_day(typed, today=date(2026, 11, 30)) is None
    why = unreadable(typed)
    assert why == says if says is None else says in (why or "")


@pytest.mark.parametrize("typed", ["someday", "32 Jan", "2w3d", "0d", "99m", "Mon 9"])
def test_days_that_cannot_be_read(typed: str) -> None:
    assert parse_day(typed, today=date(2026, 11, 30)) is None


def test_spans() -> None:
    assert parse_span("2w") == (2, "w")
    assert parse_span("3 days") == (3, "d")
    assert parse_span("13m") is None
