"""Every command parser on arbitrary Unicode: it answers, with a reading or a message
for the member, and never raises anything but the error it is declared to raise."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.cli.main import UserError, local_time
from bot.platforms.slack.border import parse_body
from handlers.commands.parse import read
from handlers.commands.registry import all_commands
from handlers.commands.spec import Command
from handlers.ideas.dates import parse_day, parse_span
from handlers.ideas.schedules import ScheduleError, parse_schedule
from handlers.stats.period import parse_period

# Arbitrary text, and text built from the words the parsers look for, so that the
# keyword and argument branches are reached, not only "unknown word".
KEYWORDS = sorted(
    {
        word
        for command in all_commands()
        for sub in command.subcommands
        for word in (sub.name, *sub.aliases)
    }
    | {"#4", "4", "four", "last", "month", "mon", "09:00", "in", "2w", "tomorrow", "\u202e"}
)
wordy = st.lists(st.one_of(st.sampled_from(KEYWORDS), st.text(max_size=8)), max_size=8).map(
    " ".join
)
any_text = st.one_of(st.text(max_size=400), wordy)
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("command", all_commands(), ids=lambda c: c.name)
@FUZZ
@given(text=any_text)
@example(text="withdraw \u00b2")
@example(text="done #\u00b3")
def test_a_command_line_is_read_or_answered_with_usage(command: Command, text: str) -> None:
    reading = read(command, text)
    assert reading.subcommand in command.subcommands
    if reading.problem:
        assert f"/{command.name}" in reading.problem
    else:
        declared = {arg.name for arg in reading.subcommand.args}
        assert set(reading.values) <= declared


@FUZZ
@given(text=any_text)
@example(text="0 0 0 0 \u00b2")  # a superscript two is a digit to str.isdigit, not to int()
@example(text="0 \u00b9 * * mon")
def test_the_typed_argument_parsers_answer_or_refuse(text: str) -> None:
    assert parse_period(text) is None or len(parse_period(text) or ()) == 2
    span = parse_span(text)
    assert span is None or span[1] in "dwm"
    parse_day(text, today=date(2026, 12, 5))
    try:
        fields = parse_schedule(text)
    except ScheduleError as refused:
        assert str(refused)
    else:
        assert len(fields.split()) == 5
    try:
        local_time(text, option="--since", timezone=ZoneInfo("Europe/London"))
    except UserError as refused:
        assert "--since" in str(refused)


@FUZZ
@given(text=st.text(max_size=400), json_type=st.booleans())
def test_a_slack_body_is_parsed_or_refused_as_a_value_error(text: str, json_type: bool) -> None:
    content_type = "application/json" if json_type else "application/x-www-form-urlencoded"
    try:
        parsed = parse_body(text, content_type=content_type)
    except (ValueError, RecursionError):  # the border answers both with a 400
        return
    assert isinstance(parsed, dict)
