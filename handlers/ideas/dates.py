"""Dates and spans as volunteers type them: `2026-12-01`, `1 Dec`, `tomorrow`, `friday`, `2w`.

Every function takes `today` (a day in the party's timezone) so tests can move it, and
returns `None` for anything it cannot read: the caller says so kindly and changes nothing.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
}
_MONTHS["sept"] = 9

_SPAN = re.compile(r"^(\d{1,3})\s*(d|days?|w|wks?|weeks?|m|mths?|months?)$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?$")  # UK order: day/month
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?(?:\s+(\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?$")

MAX_AHEAD_DAYS = 3 * 366  # a due date further away than this is surely a typo
# A day and month without a year this many days back means that day, just passed (and
# refused as passed), not the same day next year.
RECENT_DAYS = 31


def weekday_index(word: str) -> int | None:
    """`mon`, `monday`, `Tues` -> 0, 0, 1; anything else -> None."""
    word = word.lower().rstrip(".")
    if len(word) < 3:
        return None
    return next((i for i, name in enumerate(WEEKDAYS) if name.startswith(word)), None)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def read_span(value: str) -> tuple[int, str] | None:
    """`2w`, `3 days`, `in 1m`, `0d`, `100m` -> (2, "w"), (3, "d"), (1, "m"), (0, "d"),
    (100, "m"): a span as written, however short or long."""
    words = " ".join(value.strip().lower().split()).removeprefix("in ")
    match = _SPAN.match(words)
    if not match:
        return None
    return int(match.group(1)), match.group(2)[0]


def parse_span(value: str) -> tuple[int, str] | None:
    """`2w`, `3 days`, `1m` -> (2, "w"), (3, "d"), (1, "m"); at least a day, at most a year."""
    match = _SPAN.match(value.strip().lower())
    if not match:
        return None
    count, unit = int(match.group(1)), match.group(2)[0]
    limit = {"d": 366, "w": 52, "m": 12}[unit]
    if not 1 <= count <= limit:
        return None
    return count, unit


def unreadable(value: str) -> str | None:
    """Why `parse_day` could not use `value` (or its first word, the rest being other
    words), in a sentence for the member; None when there is no more to say than that it
    could not be read."""
    flat = " ".join(value.split())
    for typed in dict.fromkeys([flat, *flat.split()[:1]]):
        span = read_span(typed)
        if span is not None:
            if span[0] == 0:
                return f'"{typed}" is no time at all; give at least a day, for example 3d or 2w.'
            return f'"{typed}" is more than a year; give at most 12m, 52w or 366d.'
        slashed = _SLASHED.match(typed)
        if slashed and 1 <= int(slashed.group(1)) <= 12 < int(slashed.group(2)) <= 31:
            day, month = int(slashed.group(2)), int(slashed.group(1))
            return (
                f'postgate could not read "{typed}" as a date: dates go day first, '
                f"for example {day}/{month} or {day} {calendar.month_abbr[month]}."
            )
    return None


def after_span(day: date, span: tuple[int, str]) -> date:
    count, unit = span
    if unit == "m":
        return add_months(day, count)
    return day + timedelta(days=count * (7 if unit == "w" else 1))


def parse_day(value: str, *, today: date) -> date | None:
    """A calendar day from what someone typed, read in the party's timezone.

    Without a year, a day and month mean the next time that day comes round (today
    included), unless it was in the last `RECENT_DAYS` days: then it means that day,
    which has passed. A weekday name means the next one after today. Past days are
    refused by the caller, not here, so it can say why.
    """
    words = " ".join(value.strip().lower().replace(",", " ").split())
    if not words:
        return None
    if words == "today":
        return today
    if words == "tomorrow":
        return today + timedelta(days=1)
    if words == "yesterday":
        return today - timedelta(days=1)
    if words.startswith("in "):
        span = parse_span(words[3:])
        return after_span(today, span) if span else None
    span = parse_span(words)
    if span:
        return after_span(today, span)
    weekday_words = words.removeprefix("next ")
    index = weekday_index(weekday_words) if " " not in weekday_words else None
    if index is not None:
        return today + timedelta(days=(index - today.weekday() - 1) % 7 + 1)
    if match := _ISO.match(words):
        return _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _SLASHED.match(words):
        day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
        return _with_year(day, month, year, today=today)
    for pattern, day, month in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        if match := pattern.match(words):
            number = _MONTHS.get(match.group(month))
            if number is None:
                return None
            return _with_year(int(match.group(day)), number, match.group(3), today=today)
    return None


def _with_year(day: int, month: int, year: str | None, *, today: date) -> date | None:
    if year is not None:
        full = int(year) + (2000 if len(year) == 2 else 0)
        return _safe_date(full, month, day)
    last_year = _safe_date(today.year - 1, month, day)  # "20 Dec" typed on 5 Jan
    if last_year is not None and today - last_year <= timedelta(days=RECENT_DAYS):
        return last_year
    candidate = _safe_date(today.year, month, day)
    if candidate is None:  # 29 Feb outside a leap year: try the next years
        return next((d for y in range(1, 5) if (d := _safe_date(today.year + y, month, day))), None)
    if candidate < today - timedelta(days=RECENT_DAYS):
        return _safe_date(today.year + 1, month, day)
    return candidate


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def friendly_day(day: date, *, today: date, starts: bool = False) -> str:
    """`today`, `tomorrow`, `Fri 4 Dec`, or `Fri 4 Dec 2027` when not this year;
    `starts`: as a sentence starts with it (`Yesterday`)."""
    for offset, word in ((0, "today"), (1, "tomorrow"), (-1, "yesterday")):
        if day == today + timedelta(days=offset):
            return word.capitalize() if starts else word
    label = f"{day:%a} {day.day} {day:%b}"
    return label if day.year == today.year else f"{label} {day.year}"


def age(days: int) -> str:
    """How long ago, in words: `today`, `3 days ago`, `5 weeks ago`."""
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 62:
        return f"{days // 7} weeks ago"
    return f"{days // 30} months ago"
