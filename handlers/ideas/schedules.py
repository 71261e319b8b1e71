"""Reminder times as people write them (`mon 09:00`, `weekdays 8:30`) or as cron.

Stored as five cron fields with named weekdays (`0 9 * * mon`): APScheduler 3 counts
numeric weekdays from Monday = 0, unlike cron's Sunday = 0, so numbers never reach it.
Times are read in the party's timezone, which keeps 09:00 at 09:00 across BST and GMT.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from handlers.ideas.dates import WEEKDAYS, weekday_index

_SHORT = [name[:3] for name in WEEKDAYS]
_CRON_DOW = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]  # cron: 0 and 7 = Sunday
_TIME = re.compile(r"^(\d{1,2})(?::|\.|h)?(\d{2})?\s*(am|pm)?$")
_DAY_ALIASES = {
    "daily": "*",
    "everyday": "*",
    "day": "*",
    "days": "*",
    "weekdays": "mon-fri",
    "weekday": "mon-fri",
    "weekends": "sat,sun",
    "weekend": "sat,sun",
}


class ScheduleError(ValueError):
    """A schedule someone typed that postgate cannot read; the message says why."""


def parse_schedule(value: str) -> str:
    """`mon 09:00`, `mon,thu 18:30`, `weekdays 8am`, `daily 09:00` or a cron expression
    -> canonical cron fields. Raises `ScheduleError` with a message for the member."""
    words = value.strip().strip("\"'\u201c\u201d").strip().lower().split()
    if len(words) == 5:
        return _checked(_from_cron(words))
    if len(words) == 1:
        words = ["daily", *words]
    if len(words) != 2 and not (len(words) == 3 and words[0] == "every"):
        raise ScheduleError(
            'Give a day and a time, such as "mon 09:00" or "weekdays 8:30", or a cron line.'
        )
    day_word, time_word = words[-2], words[-1]
    dow = _day_field(day_word)
    hour, minute = _parse_time(time_word)
    return _checked(f"{minute} {hour} * * {dow}")


def _day_field(word: str) -> str:
    word = word.rstrip("s") if word.endswith("days") and word[:-1] != "weekday" else word
    if word in _DAY_ALIASES:
        return _DAY_ALIASES[word]
    parts: list[str] = []
    for piece in word.split(","):
        bounds = piece.split("-")
        if len(bounds) > 2:
            raise ScheduleError(f'"{word}" is not a day postgate knows.')
        names: list[str] = []
        for bound in bounds:
            index = weekday_index(bound)
            if index is None:
                raise ScheduleError(f'"{bound}" is not a day of the week.')
            names.append(_SHORT[index])
        parts.append("-".join(names))
    return ",".join(parts)


def _parse_time(word: str) -> tuple[int, int]:
    match = _TIME.match(word)
    if not match:
        raise ScheduleError(f'"{word}" is not a time; write it like 09:00 or 6pm.')
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if match.group(3) == "pm" and hour < 12:
        hour += 12
    elif match.group(3) == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        raise ScheduleError(f'"{word}" is not a time of day.')
    return hour, minute


def _from_cron(fields: list[str]) -> str:
    minute, hour, day, month, dow = fields
    return " ".join([minute, hour, day, month, _named_dow(dow)])


def _named_dow(field: str) -> str:
    """Cron's numeric weekdays (0 or 7 = Sunday) as names, so APScheduler reads them right."""

    def name(token: str) -> str:
        if token.isdecimal():
            if int(token) > 7:
                raise ScheduleError(f'"{token}" is not a day of the week in cron (0-7).')
            return _CRON_DOW[int(token)]
        return token

    out: list[str] = []
    for piece in field.split(","):
        base, _, step = piece.partition("/")
        bounds = "-".join(name(b) for b in base.split("-"))
        out.append(f"{bounds}/{step}" if step else bounds)
    return ",".join(out)


def _checked(cron: str) -> str:
    try:
        CronTrigger.from_crontab(cron, timezone=ZoneInfo("UTC"))
    except ValueError as exc:
        raise ScheduleError(f'postgate cannot read "{cron}" as a schedule ({exc}).') from exc
    return cron


def trigger(cron: str, *, timezone: ZoneInfo) -> Any:
    """The APScheduler trigger for a stored cron line, in the party's timezone."""
    return CronTrigger.from_crontab(cron, timezone=timezone)


def next_run(
    cron: str, *, timezone: ZoneInfo, now: datetime, not_before: date | None = None
) -> datetime | None:
    """The next time `cron` fires after `now` (and on or after the day `not_before`)."""
    start = now
    if not_before is not None:
        start = max(now, datetime.combine(not_before, time(0), tzinfo=timezone))
    fire: datetime | None = trigger(cron, timezone=timezone).get_next_fire_time(None, start)
    return fire


def describe(cron: str) -> str:
    """`0 9 * * mon` -> `Mondays at 09:00`; anything unusual is shown as the cron line."""
    minute, hour, day, month, dow = cron.split()
    if not (minute.isdecimal() and hour.isdecimal() and day == "*" and month == "*"):
        return f"cron {cron}"
    at = f"{int(hour):02d}:{int(minute):02d}"
    days = {
        "*": "every day",
        "mon-fri": "weekdays (Mon-Fri)",
        "sat,sun": "weekends",
    }.get(dow)
    if days is None:
        if re.fullmatch(r"[a-z]{3}", dow) and dow in _SHORT:
            days = WEEKDAYS[_SHORT.index(dow)].capitalize() + "s"
        else:
            days = dow.replace(",", ", ").replace("-", " to ").title()
    return f"{days} at {at}"
